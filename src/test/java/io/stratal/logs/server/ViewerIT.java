package io.stratal.logs.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TestDatabase;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The log viewer in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}),
 * against the server on a real PostgreSQL. Without a browser on the machine these tests are skipped,
 * unless {@code STRATAL_REQUIRE_BROWSER=true} (CI sets it) makes that a failure.
 */
@Timeout(120)
class ViewerIT {

    private static final String CHROMIUM = System.getenv().getOrDefault("STRATAL_CHROMIUM", "/usr/bin/chromium");
    private static final String CHROMEDRIVER = System.getenv().getOrDefault("STRATAL_CHROMEDRIVER", "/usr/bin/chromedriver");

    @RegisterExtension
    static final DatabaseExtension database = new DatabaseExtension();
    private static WebDriver browser;
    private TestDatabase db;
    private LogServer server;
    private UUID job;
    private UUID task;

    @BeforeAll
    static void openBrowser() {
        boolean present = new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
        if (!present && "true".equals(System.getenv("STRATAL_REQUIRE_BROWSER"))) {
            throw new IllegalStateException("no browser at " + CHROMIUM + " / " + CHROMEDRIVER
                    + ": apt-get install chromium chromium-driver");
        }
        Assumptions.assumeTrue(present, "no Chromium here: apt-get install chromium chromium-driver to run the viewer tests");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void setUp() {
        db = database.get();
        db.execute("DROP TABLE IF EXISTS logs, task_runs, job_runs, schema_migrations CASCADE");
        db.migrated();
        job = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('nightly') RETURNING id");
        task = (UUID) db.scalar("INSERT INTO task_runs (job_run_id, task_name) VALUES ('" + job + "', 'load') RETURNING id");
        server = LogServer.builder(db.dataSource()).port(0).pollInterval(Duration.ofMillis(200)).start();
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    private void open(String pathAndQuery) {
        browser.get("http://127.0.0.1:" + server.port() + pathAndQuery);
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(15));
    }

    private List<WebElement> rows() {
        return browser.findElements(By.cssSelector(".stratal-line"));
    }

    /** The messages of the lines in the page, read in one script (rows may be replaced while a list is read). */
    @SuppressWarnings("unchecked")
    private List<String> visibleMessages() {
        return (List<String>) ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "return [...document.querySelectorAll('.stratal-line .stratal-text')].map(e => e.innerText)");
    }

    private String lineCount() {
        return browser.findElement(By.cssSelector("[data-testid=line-count]")).getText();
    }

    private boolean live(WebDriver d) {
        return !d.findElements(By.cssSelector(".stratal-live-on")).isEmpty();
    }

    private void insertJobLog(String level, String message) {
        db.execute("INSERT INTO logs (type, job_run_id, level, message, metadata) VALUES ('job', '" + job + "', '"
                + level + "', '" + message.replace("'", "''") + "', '{\"attempt\": 2}')");
    }

    @Test
    void aJobRunsLogsShowInOrderWithTheirLevelsAndMessagesAsText() {
        insertJobLog("info", "Job started");
        db.execute("INSERT INTO logs (type, job_run_id, task_run_id, level, stream, message) VALUES ('task', '" + job + "', '"
                + task + "', 'error', 'stderr', '<img src=x onerror=\"document.title=''pwned''\">')");
        db.execute("INSERT INTO logs (type, message) VALUES ('system', 'not this job')");
        open("/?job_run_id=" + job);

        waiting().until(d -> rows().size() == 2);
        assertThat(visibleMessages()).containsExactly("Job started", "<img src=x onerror=\"document.title='pwned'\">");
        assertThat(browser.findElements(By.cssSelector(".stratal-line img"))).as("a message is text, never HTML").isEmpty();
        assertThat(browser.getTitle()).isEqualTo("Stratal logs");
        WebElement error = rows().get(1);
        assertThat(error.getAttribute("data-level")).isEqualTo("error");
        assertThat(error.findElement(By.cssSelector(".stratal-message")).getAttribute("class")).contains("stderr");
        // the task by the name task_runs gives it, once the run's summary is in (its id's start until then)
        waiting().until(d -> rows().get(1).findElement(By.cssSelector(".stratal-task")).getText().equals("load"));
        assertThat(rows().get(1).findElement(By.cssSelector(".stratal-task")).getAttribute("title")).isEqualTo(task.toString());
        rows().get(0).findElement(By.cssSelector("button[aria-label=Metadata]")).click();
        waiting().until(d -> !d.findElements(By.cssSelector(".stratal-metadata")).isEmpty());
        assertThat(browser.findElement(By.cssSelector(".stratal-metadata")).getText()).contains("\"attempt\": 2");
        // the run's tasks, from its summary, with the error mark
        waiting().until(d -> !d.findElements(By.cssSelector(".stratal-task-failed")).isEmpty());
    }

    @Test
    void newLogsAppearLiveWithoutAReload() {
        insertJobLog("info", "first");
        open("/?job_run_id=" + job);
        waiting().until(this::live);
        insertJobLog("warn", "second, written after the page loaded");
        db.execute("INSERT INTO logs (type, message) VALUES ('system', 'another view')");

        waiting().until(d -> rows().size() == 2);
        assertThat(visibleMessages()).containsExactly("first", "second, written after the page loaded");
    }

    @Test
    void theSystemViewStreamsOnlySystemLogs() {
        db.execute("INSERT INTO logs (type, message) VALUES ('system', 'server started')");
        open("/?view=system");
        waiting().until(this::live);
        insertJobLog("info", "a job line, not for this view");
        db.execute("INSERT INTO logs (type, message) VALUES ('system', 'configuration reloaded')");
        waiting().until(d -> rows().size() == 2);
        assertThat(visibleMessages()).containsExactly("server started", "configuration reloaded");
    }

    @Test
    void pausingLiveAndResumingMissesNothing() {
        // a feed that never finds rows by itself: no LISTEN, its next poll a minute away; so a row written
        // while paused can only come from what resuming reads
        server.close();
        server = LogServer.builder(db.dataSource()).port(0).notifyChannel(null).pollInterval(Duration.ofMinutes(1)).holeHold(Duration.ofMinutes(5)).start();
        insertJobLog("info", "before the pause");
        open("/?job_run_id=" + job);
        waiting().until(this::live);
        browser.findElement(By.id("live")).click();
        waiting().until(d -> d.findElements(By.cssSelector(".stratal-live")).isEmpty());
        insertJobLog("warn", "written while paused");
        browser.findElement(By.id("live")).click();
        waiting().until(d -> rows().size() == 2);
        assertThat(visibleMessages()).containsExactly("before the pause", "written while paused");
    }

    @Test
    void levelAndTextFiltersSelectOnTheServerAndLoseNothing() {
        insertJobLog("info", "fetching page 1");
        insertJobLog("error", "fetch failed");
        insertJobLog("info", "done");
        open("/?job_run_id=" + job);
        waiting().until(d -> rows().size() == 3);

        browser.findElement(By.cssSelector(".stratal-toolbar .stratal-level-error input")).click();
        waiting().until(d -> rows().size() == 1);
        assertThat(visibleMessages()).containsExactly("fetch failed");
        assertThat(lineCount()).isEqualTo("1 line");

        browser.findElement(By.cssSelector(".stratal-toolbar .stratal-level-error input")).click();
        browser.findElement(By.cssSelector("input[aria-label=Search]")).sendKeys("fetch");
        waiting().until(d -> rows().size() == 2 && lineCount().equals("2 lines"));
        assertThat(visibleMessages()).containsExactly("fetching page 1", "fetch failed");
        assertThat(browser.findElements(By.cssSelector(".stratal-line mark"))).hasSize(2);
    }

    @Test
    void aLongViewOpensAtItsNewestLineAndReadsOlderPagesAsItIsScrolledUp() {
        db.execute("INSERT INTO logs (type, timestamp, message) SELECT 'system', timestamp '2026-11-29 08:00' + g * interval '1 s',"
                + " 'line ' || g FROM generate_series(1, 2500) g");
        open("/?view=system");
        waiting().until(d -> lineCount().equals("2,500 lines")); // the count from the server, not from loading all
        waiting().until(d -> visibleMessages().contains("line 2500")); // it follows the newest line
        // scrolled to the top again and again, it reads the older pages until the first line
        waiting().until(d -> {
            ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                    "document.querySelector('.stratal-lines').scrollTo(0, 0)");
            return visibleMessages().contains("line 1");
        });
        assertThat(rows().size()).as("a virtualised list: not 2,500 rows in the page").isLessThan(200);
    }

    @Test
    void aRunIdThatIsNotAUuidIsExplainedAndNothingIsAsked() {
        open("/");
        WebElement id = browser.findElement(By.id("run-id"));
        id.sendKeys("job-123");
        browser.findElement(By.id("show")).click();
        waiting().until(d -> !d.findElements(By.id("error")).isEmpty());
        assertThat(browser.findElement(By.id("error")).getText()).contains("\"job-123\" is not a run id");
        assertThat(rows()).isEmpty();
    }

    @Test
    void theRunPickerListsJobRunsNewestActivityFirstWithTheirErrors() {
        UUID older = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('older') RETURNING id");
        db.execute("INSERT INTO logs (type, job_run_id, timestamp, message) VALUES ('job', '" + older + "', timestamp '2026-11-28 08:00', 'old')");
        db.execute("INSERT INTO logs (type, job_run_id, timestamp, level, message) VALUES ('job', '" + job
                + "', timestamp '2026-11-29 08:00', 'error', 'failed')");
        open("/");
        waiting().until(d -> d.findElements(By.cssSelector(".runs tbody tr")).size() == 2);
        List<WebElement> runs = browser.findElements(By.cssSelector(".runs tbody tr"));
        assertThat(runs.get(0).getText()).startsWith(job.toString()).contains("✖ 1");
        assertThat(runs.get(1).getText()).startsWith(older.toString());
        runs.get(0).findElement(By.tagName("a")).click();
        waiting().until(d -> rows().size() == 1);
        assertThat(browser.getCurrentUrl()).endsWith("/?job_run_id=" + job);
    }

    @Test
    void theAlertsLinkShowsOnlyTheRunsThatLoggedErrors() {
        UUID quiet = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('quiet') RETURNING id");
        db.execute("INSERT INTO logs (type, job_run_id, timestamp, message) VALUES ('job', '" + quiet + "', timestamp '2026-11-29 09:00', 'fine')");
        db.execute("INSERT INTO logs (type, job_run_id, timestamp, level, message) VALUES ('job', '" + job
                + "', timestamp '2026-11-29 08:00', 'error', 'failed')");
        open("/?errors=only");
        waiting().until(d -> d.findElements(By.cssSelector(".runs tbody tr")).size() == 1);
        assertThat(browser.findElement(By.cssSelector(".runs h2")).getText()).isEqualTo("Job runs with errors");
        assertThat(browser.findElement(By.cssSelector(".runs tbody tr")).getText()).startsWith(job.toString()).contains("✖ 1");

        browser.findElement(By.id("all-runs")).click();
        waiting().until(d -> d.findElements(By.cssSelector(".runs tbody tr")).size() == 2);
        assertThat(browser.findElements(By.cssSelector(".runs tbody tr")).get(0).getText()).startsWith(quiet.toString());
    }

    @Test
    void withATokenInTheAddressTheViewerReadsAProtectedServer() {
        server.close();
        server = LogServer.builder(db.dataSource()).port(0).token("viewer-secret").start();
        insertJobLog("info", "protected");
        open("/?job_run_id=" + job + "#token=viewer-secret");
        waiting().until(d -> rows().size() == 1);
        assertThat(visibleMessages()).containsExactly("protected");
        waiting().until(this::live);
        assertThat(browser.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("viewer-secret");

        browser.manage().deleteAllCookies();
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        open("/?job_run_id=" + job);
        waiting().until(d -> !d.findElements(By.cssSelector("[role=alert]")).isEmpty());
        assertThat(browser.findElement(By.cssSelector("[role=alert]")).getText()).contains("needs a token");
    }
}
