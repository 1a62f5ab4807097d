package io.stratal.logs.server;

import io.stratal.logs.internal.util.Durations;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.stratal.logs.query.Cursor;
import io.stratal.logs.query.InvalidParameterException;
import io.stratal.logs.query.JobRuns;
import io.stratal.logs.query.LogConditions;
import io.stratal.logs.query.LogFilter;
import io.stratal.logs.query.LogPage;
import io.stratal.logs.query.LogReader;
import io.stratal.logs.query.LogStats;
import java.time.Duration;
import io.stratal.logs.query.PageRequest;
import java.sql.SQLException;

/**
 * The read endpoints: the four lists (a job run's, a task run's, the system logs, one type's) (with the filters and both orders), the job runs list, a run's
 * summary, and downloads. Parameters are read here and checked by the query classes, whose
 * {@link InvalidParameterException} the server answers with a 400.
 */
final class ReadRoutes {

    private final LogReader reader;
    private final JobRuns jobRuns;
    private final LogStats stats;

    ReadRoutes(LogReader reader, JobRuns jobRuns, LogStats stats) {
        this.reader = reader;
        this.jobRuns = jobRuns;
        this.stats = stats;
    }

    void register(JavalinConfig config, String api) {
        config.routes.get(api + "/job-runs", this::jobRuns);
        config.routes.get(api + "/job-runs/{job_run_id}", ctx -> page(ctx, jobRun(ctx)));
        config.routes.get(api + "/job-runs/{job_run_id}/summary", ctx -> Gate.send(ctx, HttpStatus.OK,
                LogJson.toJson(jobRuns.summary(LogFilter.parseId("job_run_id", ctx.pathParam("job_run_id"))))));
        config.routes.get(api + "/job-runs/{job_run_id}/download", ctx -> download(ctx, jobRun(ctx)));
        config.routes.get(api + "/task-runs/{task_run_id}", ctx -> page(ctx, taskRun(ctx)));
        config.routes.get(api + "/task-runs/{task_run_id}/download", ctx -> download(ctx, taskRun(ctx)));
        config.routes.get(api + "/system", ctx -> page(ctx, LogFilter.system()));
        config.routes.get(api + "/system/download", ctx -> download(ctx, LogFilter.system()));
        config.routes.get(api + "/stats", this::stats);
        config.routes.get(api + "/type/{type}", ctx -> page(ctx,
                LogFilter.ofType(LogFilter.parseType("type", ctx.pathParam("type")))));
    }

    private static LogFilter taskRun(Context ctx) {
        return LogFilter.taskRun(LogFilter.parseId("task_run_id", ctx.pathParam("task_run_id")));
    }

    /** The job runs with logs, newest activity first: {@code since}, {@code limit}, {@code cursor}. */
    private void jobRuns(Context ctx) throws SQLException {
        PageRequest limit = PageRequest.parse(ctx.queryParam("limit"), null, null);
        LogConditions since = LogConditions.parse(java.util.Map.of("since", ctx.queryParams("since")));
        String cursor = ctx.queryParam("cursor");
        Gate.send(ctx, HttpStatus.OK, LogJson.toJson(jobRuns.list(since.since(), limit.limit(),
                cursor == null || cursor.isBlank() ? null : cursor)));
    }

    /** A job run's rows, or with {@code task_run_id} those of one of its task runs. */
    private static LogFilter jobRun(Context ctx) {
        LogFilter filter = LogFilter.jobRun(LogFilter.parseId("job_run_id", ctx.pathParam("job_run_id")));
        String task = ctx.queryParam("task_run_id");
        return task == null || task.isBlank() ? filter : filter.ofTaskRun(LogFilter.parseId("task_run_id", task));
    }

    /** The selection narrowed by the request's filters. */
    private static LogFilter filtered(Context ctx, LogFilter selection) {
        if (selection.jobRunId() == null && ctx.queryParam("task_run_id") != null) {
            throw new InvalidParameterException("task_run_id", "narrows a job run's logs (/job-runs/{id}); for one task"
                    + " run's logs ask /task-runs/{id}");
        }
        return selection.where(LogConditions.parse(ctx.queryParamMap()));
    }

    /**
     * The whole selection as a file, streamed as the database sends it: no page limit, bounded memory. A
     * failure after the first bytes can only cut the download short (the status is sent by then).
     */
    private void download(Context ctx, LogFilter selection) throws SQLException, java.io.IOException {
        LogFilter filter = filtered(ctx, selection);
        boolean descending = PageRequest.parse(null, null, null, ctx.queryParam("order")).descending();
        LogDownload.Format format = LogDownload.Format.parse(ctx.queryParam("format"));
        ctx.status(HttpStatus.OK).contentType(format.contentType())
                .header("Content-Disposition", "attachment; filename=\"" + LogDownload.fileName(filter, format) + "\"");
        LogDownload.write(reader, filter, descending, format, ctx.outputStream());
    }

    /** {@code request} starting at the row {@code from_id} names, in its order: a link to one line. */
    private PageRequest startingAt(PageRequest request, String fromId) throws SQLException {
        if (request.cursor() != null || request.offset() > 0) {
            throw new InvalidParameterException("from_id", "goes without cursor and offset");
        }
        long id = PageRequest.parseWhole("from_id", fromId);
        Cursor at = reader.cursorAt(id, request.descending());
        if (at == null) {
            throw new InvalidParameterException("from_id", "no log has id " + id);
        }
        return new PageRequest(request.limit(), 0, at, request.descending());
    }

    private void page(Context ctx, LogFilter selection) throws SQLException {
        LogFilter filter = filtered(ctx, selection);
        PageRequest request = PageRequest.parse(ctx.queryParam("limit"), ctx.queryParam("offset"), ctx.queryParam("cursor"),
                ctx.queryParam("order"));
        String fromId = ctx.queryParam("from_id");
        if (fromId != null && !fromId.isEmpty()) {
            request = startingAt(request, fromId);
        }
        LogPage page = reader.page(filter, request);
        Gate.send(ctx, HttpStatus.OK, LogJson.toJson(page));
    }


    /** The monitoring queries over {@code window} (1h by default), and the table's size and growth. */
    private void stats(Context ctx) throws SQLException {
        String window = ctx.queryParam("window");
        window = window == null || window.isBlank() ? "1h" : window.trim();
        Duration length;
        try {
            length = Durations.parseAge(window);
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException("window", e.getMessage());
        }
        Gate.send(ctx, HttpStatus.OK, LogJson.toJson(window, stats.since(length), stats.countByType(),
                stats.countByLevel(length), stats.errorRates(length), stats.size(), stats.rowsPerDay(7)));
    }
}
