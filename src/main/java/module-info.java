/**
 * Stratal unified logs: a Logback appender that writes an application's system, job and task logs into one
 * PostgreSQL table, the engine behind it, and the read side (queries, an HTTP server with live streams).
 *
 * <p>The exported packages are the public API; everything under {@code io.stratal.logs.internal} and the
 * command line ({@code io.stratal.logs.cli}) may change in any release. The optional features (the server,
 * Micrometer, the command line's demo) need their libraries only when they are used.
 */
module io.stratal.logs {
    requires transitive ch.qos.logback.classic;
    requires transitive ch.qos.logback.core;
    requires transitive org.slf4j;
    requires transitive java.sql;
    requires java.management;
    requires java.naming;
    requires org.postgresql.jdbc;
    requires com.zaxxer.hikari;
    requires com.fasterxml.jackson.core;
    requires org.jctools.core;

    requires static micrometer.core;
    requires static micrometer.registry.prometheus;
    requires static io.javalin;
    requires static jakarta.servlet;
    requires static org.eclipse.jetty.ee10.servlet;
    requires static org.eclipse.jetty.http;
    requires static org.eclipse.jetty.server;
    requires static org.eclipse.jetty.session;
    requires static org.eclipse.jetty.util;
    requires static org.eclipse.jetty.websocket.api;
    requires static jul.to.slf4j;
    requires static java.net.http;

    exports io.stratal.logs;
    exports io.stratal.logs.names;
    exports io.stratal.logs.pipeline;
    exports io.stratal.logs.writer;
    exports io.stratal.logs.logback;
    exports io.stratal.logs.context;
    exports io.stratal.logs.query;
    exports io.stratal.logs.schema;
    exports io.stratal.logs.archive;
    exports io.stratal.logs.server;
    exports io.stratal.logs.micrometer;
}
