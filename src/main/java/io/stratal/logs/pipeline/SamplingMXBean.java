package io.stratal.logs.pipeline;

import java.util.Map;

/**
 * What an appender's sampling rules left out, as JMX and Micrometer show it: the lines each rule left out, the
 * summary rows it stored in their place, and the keys (logger, message template, run) counted now.
 */
public interface SamplingMXBean {

    /** {@return lines left out, by rule name, in the rules' order} */
    Map<String, Long> getLinesLeftOutByRule();

    /** {@return summary rows made, by rule name, in the rules' order} */
    Map<String, Long> getSummariesByRule();

    /** {@return keys with an open window now} */
    int getOpenKeys();

    /** {@return windows closed before their end because more keys than the cap were open} */
    long getKeysClosedEarly();
}
