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
        return browser.findElements(By.cssSelector("#rows tr"));
    }

    private List<String> visibleMessages() {
        return rows().stream().filter(WebElement::isDisplayed)
                .map(row -> row.findElement(By.cssSelector("td.message")).getText().split("\n")[0]).toList();
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
        assertThat(browser.findElements(By.cssSelector("#rows img"))).as("a message is text, never HTML").isEmpty();
        assertThat(browser.getTitle()).isEqualTo("Stratal logs");
        WebElement error = rows().get(1);
        assertThat(error.getAttribute("data-level")).isEqualTo("error");
        assertThat(error.getAttribute("class")).contains("stderr");
        assertThat(error.findElement(By.cssSelector("td.type")).getText()).startsWith("task " + task.toString().substring(0, 8));
        WebElement metadata = rows().get(0).findElement(By.cssSelector("details.metadata"));
        metadata.findElement(By.tagName("summary")).click();
        assertThat(metadata.findElement(By.tagName("pre")).getText()).contains("\"attempt\": 2");
    }

    @Test
    void newLogsAppearLiveWithoutAReload() {
        insertJobLog("info", "first");
        open("/?job_run_id=" + job);
        waiting().until(d -> "live".equals(d.findElement(By.id("state")).getText()));
        insertJobLog("warn", "second, written after the page loaded");
        db.execute("INSERT INTO logs (type, message) VALUES ('system', 'another view')");

        waiting().until(d -> rows().size() == 2);
        assertThat(visibleMessages()).containsExactly("first", "second, written after the page loaded");
    }

    @Test
    void theSystemViewStreamsOnlySystemLogs() {
        db.execute("INSERT INTO logs (type, message) VALUES ('system', 'server started')");
        open("/?view=system");
        waiting().until(d -> "live".equals(d.findElement(By.id("state")).getText()));
        insertJobLog("info", "a job line, not for this view");
        db.execute("INSERT INTO logs (type, message) VALUES ('system', 'configuration reloaded')");
        waiting().until(d -> rows().size() == 2);
        assertThat(visibleMessages()).containsExactly("server started", "configuration reloaded");
    }

    @Test
    void pausingLiveAndResumingMissesNothing() {
        // a feed that never finds rows by itself: no LISTEN, its next poll a minute away; so a row written
        // while paused can only come from the catch-up that resuming asks for
        server.close();
        server = LogServer.builder(db.dataSource()).port(0).notifyChannel(null).pollInterval(Duration.ofMinutes(1)).start();
        insertJobLog("info", "before the pause");
        open("/?job_run_id=" + job);
        waiting().until(d -> "live".equals(d.findElement(By.id("state")).getText()));
        browser.findElement(By.id("live")).click();
        waiting().until(d -> "paused".equals(d.findElement(By.id("state")).getText()));
        insertJobLog("warn", "written while paused");
        browser.findElement(By.id("live")).click();
        waiting().until(d -> rows().size() == 2);
        assertThat(visibleMessages()).containsExactly("before the pause", "written while paused");
    }

    @Test
    void levelAndTextFiltersHideRowsWithoutLosingThem() {
        insertJobLog("info", "fetching page 1");
        insertJobLog("error", "fetch failed");
        insertJobLog("info", "done");
        open("/?job_run_id=" + job);
        waiting().until(d -> rows().size() == 3);

        browser.findElement(By.cssSelector(".level-filter[value='info']")).click();
        waiting().until(d -> visibleMessages().size() == 1);
        assertThat(visibleMessages()).containsExactly("fetch failed");
        assertThat(browser.findElement(By.id("count")).getText()).isEqualTo("1 of 3 logs");

        browser.findElement(By.cssSelector(".level-filter[value='info']")).click();
        browser.findElement(By.id("text-filter")).sendKeys("fetch");
        waiting().until(d -> visibleMessages().size() == 2);
        assertThat(visibleMessages()).containsExactly("fetching page 1", "fetch failed");
    }

    @Test
    void moreThanAPageLoadsOnRequest() {
        db.execute("INSERT INTO logs (type, timestamp, message) SELECT 'system', timestamp '2026-11-29 08:00' + g * interval '1 s',"
                + " 'line ' || g FROM generate_series(1, 250) g");
        // a server started now has these rows behind it: they come in pages, not through the stream
        server.close();
        server = LogServer.builder(db.dataSource()).port(0).start();
        open("/?view=system");
        waiting().until(d -> rows().size() == 200);
        WebElement more = browser.findElement(By.id("more"));
        assertThat(more.isDisplayed()).isTrue();
        more.click();
        waiting().until(d -> rows().size() == 250);
        assertThat(more.isDisplayed()).isFalse();
        List<String> messages = visibleMessages();
        assertThat(messages.get(0)).isEqualTo("line 1");
        assertThat(messages.get(249)).isEqualTo("line 250");
    }

    @Test
    void aRunIdThatIsNotAUuidIsExplainedAndNothingIsAsked() {
        open("/");
        browser.findElement(By.id("view")).sendKeys("Job run");
        WebElement id = browser.findElement(By.id("run-id"));
        id.clear();
        id.sendKeys("job-123");
        browser.findElement(By.id("show")).click();
        waiting().until(d -> d.findElement(By.id("error")).isDisplayed());
        assertThat(browser.findElement(By.id("error")).getText()).contains("\"job-123\" is not a run id");
        assertThat(rows()).isEmpty();
    }

    @Test
    void withATokenInTheAddressTheViewerReadsAProtectedServer() {
        server.close();
        server = LogServer.builder(db.dataSource()).port(0).token("viewer-secret").start();
        insertJobLog("info", "protected");
        open("/?job_run_id=" + job + "#token=viewer-secret");
        waiting().until(d -> rows().size() == 1);
        assertThat(visibleMessages()).containsExactly("protected");
        waiting().until(d -> "live".equals(d.findElement(By.id("state")).getText()));
        assertThat(browser.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("viewer-secret");

        browser.manage().deleteAllCookies();
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        open("/?job_run_id=" + job);
        waiting().until(d -> d.findElement(By.id("error")).isDisplayed());
        assertThat(browser.findElement(By.id("error")).getText()).contains("needs a token");
    }
}
