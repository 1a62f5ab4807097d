package io.stratal.logs.pipeline;

import java.util.Set;
import java.util.UUID;

/**
 * The run ids a batch referenced that the database does not have (yet): a job that logs before its own
 * transaction commits its {@code job_runs} row.
 *
 * @param jobRunIds  job run ids the job runs table lacks
 * @param taskRunIds task run ids the task runs table lacks
 */
public record MissingParents(Set<UUID> jobRunIds, Set<UUID> taskRunIds) {

    /**
     * Copies both sets.
     *
     * @param jobRunIds  job run ids the job runs table lacks
     * @param taskRunIds task run ids the task runs table lacks
     */
    public MissingParents {
        jobRunIds = Set.copyOf(jobRunIds);
        taskRunIds = Set.copyOf(taskRunIds);
    }

    /** {@return true when no id is known to be missing} */
    public boolean isEmpty() {
        return jobRunIds.isEmpty() && taskRunIds.isEmpty();
    }
}
