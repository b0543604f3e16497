package dev.descent.train.progress;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * One epoch's bar on a terminal (me.tongfei's {@code progressbar}): the only class that names
 * the library, so {@link ProgressCallback} loads and draws plain lines without it.
 */
final class TerminalBar implements AutoCloseable {
    private final ProgressBar bar;

    TerminalBar(PrintStream out, String task, long max, long done) {
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(max)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUnit(" samples", 1).showSpeed()
                .setUpdateIntervalMillis(200).clearDisplayOnFinish().setConsumer(new ConsoleProgressBarConsumer(out))
                .startsFrom(done, Duration.ZERO).build();
    }

    void step(long n, String message) {
        bar.stepBy(n);
        bar.setExtraMessage(message);
    }

    @Override
    public void close() {
        bar.close();
    }
}
