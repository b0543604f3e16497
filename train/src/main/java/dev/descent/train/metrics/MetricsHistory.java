package dev.descent.train.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every step and epoch record of a run, in order: what the CSV and JSON-lines files and the
 * charts are made from, and what a checkpoint carries so a resumed run continues its curves.
 * A few numbers per step, so a run of a million steps holds some tens of megabytes.
 */
public final class MetricsHistory {
    private final List<StepRecord> steps = new ArrayList<>();
    private final List<EpochRecord> epochs = new ArrayList<>();

    public void add(StepRecord r) {
        steps.add(r);
    }

    public void add(EpochRecord r) {
        epochs.add(r);
    }

    public List<StepRecord> steps() {
        return Collections.unmodifiableList(steps);
    }

    public List<EpochRecord> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /** The last epoch's record, or null before the first. */
    public EpochRecord lastEpoch() {
        return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
    }

    /** Forgets every record (before a restored history is put back). */
    public void clear() {
        steps.clear();
        epochs.clear();
    }
}
