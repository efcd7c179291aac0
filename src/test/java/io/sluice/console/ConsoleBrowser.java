package io.sluice.console;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import static org.awaitility.Awaitility.await;

/**
 * One headless Chromium (Debian's, driven through its own chromedriver: Selenium Manager never downloads anything),
 * shared by a test class, with one tab per console session. Each tab sends its user's HTTP Basic credentials with
 * every request (set through Chrome's DevTools for that tab), as a browser does once its user has logged in at the
 * prompt — the headless browser has no prompt to type into.
 */
final class ConsoleBrowser implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private final ChromeDriver driver;
    private final String base;
    private final Map<String, String> tabs = new HashMap<>(); // session name -> window handle

    ConsoleBrowser(String base, Path profile) {
        this.base = base;
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    /** Switches to the tab of {@code session} (opened on first use, logged in as {@code authorization}). */
    ConsoleBrowser as(String session, String authorization) {
        String handle = tabs.get(session);
        if (handle == null) {
            if (!tabs.isEmpty()) {
                driver.switchTo().newWindow(WindowType.TAB);
            }
            handle = driver.getWindowHandle();
            tabs.put(session, handle);
            driver.executeCdpCommand("Network.enable", Map.of());
            driver.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of("Authorization", authorization)));
        }
        driver.switchTo().window(handle);
        return this;
    }

    /** Loads a console page afresh (flows, dead-letters, alerts, loans, windows). */
    ConsoleBrowser open(String page) {
        driver.get(base + "/console/#" + page);
        try {
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> driver.findElement(By.id(page)).isDisplayed());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("page " + page + " not shown; the browser has " + driver.getCurrentUrl() + ": "
                    + driver.getPageSource(), e);
        }
        return this;
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The text of the first element matching {@code css}, or "" while there is none (the page redraws its rows). */
    String text(String css) {
        try {
            List<WebElement> found = all(css);
            return found.isEmpty() ? "" : found.get(0).getText();
        } catch (org.openqa.selenium.StaleElementReferenceException redrawn) {
            return "";
        }
    }

    /** Clicks the element once it is there (the page redraws rows every few seconds, so it may be found again). */
    void click(String css) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            find(css).click();
            return true;
        });
    }

    Object script(String js) {
        return driver.executeScript(js);
    }

    String message() {
        return text("#message");
    }

    void width(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    Path screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name + ".png");
        // the whole page, not only the window: as tall as the page is, for the shot
        Dimension size = driver.manage().window().getSize();
        Number height = (Number) driver.executeScript("return document.documentElement.scrollHeight");
        driver.manage().window().setSize(new Dimension(size.getWidth(), Math.max(size.getHeight(), height.intValue() + 120)));
        try {
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } finally {
            driver.manage().window().setSize(size);
        }
        return file;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
