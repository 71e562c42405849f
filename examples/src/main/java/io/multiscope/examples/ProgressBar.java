package io.multiscope.examples;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/** A one-line progress bar redrawn in place with a carriage return. */
final class ProgressBar {

    private static final int WIDTH = 40;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final AtomicLong done = new AtomicLong();
    private volatile int lastDrawn = -1;
    /** Redrawing in place only makes sense on a terminal; in a log, only the final line is printed. */
    private final boolean interactive = System.console() != null;

    ProgressBar(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
    }

    void step() {
        long d = done.incrementAndGet();
        int percent = (int) (d * 100 / total);
        if (interactive && percent != lastDrawn) {
            synchronized (this) {
                if (percent != lastDrawn) {
                    lastDrawn = percent;
                    draw(d);
                }
            }
        }
    }

    void finish() {
        draw(done.get());
        out.println();
    }

    private void draw(long d) {
        int filled = (int) (WIDTH * Math.min(d, total) / total);
        out.print((interactive ? "\r" : "") + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] "
                + String.format("%3d%% %,d/%,d", d * 100 / total, d, total));
        out.flush();
    }
}
