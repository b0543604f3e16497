package dev.descent.train.data;

import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;

/**
 * Random changes to training images {@code [N, C, H, W]}, as torchvision's
 * {@code RandomCrop(size, padding=p)} followed by {@code RandomHorizontalFlip(0.5)}: each image is
 * padded by {@code cropPadding} on every side with {@code fill} and cut back to H × W at an offset
 * {@code (dy, dx)} drawn uniformly from {@code [0, 2p]²}, then, when {@code flip}, its columns are
 * reversed with probability 1/2. Output pixel {@code (i, j)} is therefore input pixel
 * {@code (i + dy − p, j' + dx − p)} with {@code j' = flipped ? W − 1 − j : j}, or {@code fill}
 * where that lies outside the image.
 *
 * <p>The draws come from the generator the {@link DataLoader} seeds for each batch (from its seed,
 * the epoch and the batch's number), so a resumed run sees the same images. The images stay on
 * their device: the host draws the offsets and uploads one index map and one mask, and the
 * device does one gather and one select (no read back).
 *
 * @param cropPadding p, at least 0 (0: no crop)
 * @param flip whether to flip horizontally with probability 1/2
 * @param fill the value of the padding (for standardised images, where a black pixel lands)
 */
public record Augmentation(int cropPadding, boolean flip, double fill) {
    /** No change. */
    public static final Augmentation NONE = new Augmentation(0, false, 0);

    public Augmentation {
        Check.argument(cropPadding >= 0, "Augmentation", "expected a crop padding >= 0, got %d", cropPadding);
        Check.argument(Double.isFinite(fill), "Augmentation", "expected a finite fill value, got %s", fill);
    }

    /** Whether images pass unchanged. */
    public boolean isNone() {
        return cropPadding == 0 && !flip;
    }

    /** The batch's images changed with draws from {@code gen}: a new tensor (the input stays as it was). */
    public Tensor apply(Tensor images, Generator gen) {
        String op = "Augmentation.apply";
        images.checkOpen(op);
        Check.argument(images.rank() == 4, op, "expected images of shape [N, C, H, W], got %s", images.shape());
        int n = images.size(0);
        int c = images.size(1);
        int h = images.size(2);
        int w = images.size(3);
        double[] index = new double[n * h * w];
        double[] inside = new double[index.length];
        for (int s = 0; s < n; s++) {
            int dy = shift(gen);
            int dx = shift(gen);
            boolean flipped = flips(gen);
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    int si = i + dy;
                    int sj = (flipped ? w - 1 - j : j) + dx;
                    int at = (s * h + i) * w + j;
                    if (si >= 0 && si < h && sj >= 0 && sj < w) {
                        index[at] = si * w + sj;
                        inside[at] = 1;
                    }
                }
            }
        }
        try (Scope scope = Scope.open()) {
            Tensor idx = Tensor.of(images.device(), DType.INT32, index, n, 1, h * w).expand(n, c, h * w);
            Tensor mask = Tensor.of(images.device(), images.dtype(), inside, n, 1, h * w);
            Tensor moved = images.reshape(n, c, h * w).gather(2, idx);
            Tensor background = Tensor.full(images.device(), images.dtype(), fill);
            return scope.keep(Tensor.where(mask, moved, background).reshape(n, c, h, w));
        }
    }

    /** Draws from {@code gen} what {@link #apply} would for {@code images} images, without making them. */
    public void skip(Generator gen, int images) {
        for (int s = 0; s < images; s++) {
            shift(gen);
            shift(gen);
            flips(gen);
        }
    }

    private int shift(Generator gen) {
        return cropPadding == 0 ? 0 : gen.nextInt(2 * cropPadding + 1) - cropPadding;
    }

    private boolean flips(Generator gen) {
        return flip && gen.nextDouble() < 0.5;
    }

    @Override
    public String toString() {
        if (isNone()) {
            return "none";
        }
        return (cropPadding > 0 ? "crop:" + cropPadding : "") + (cropPadding > 0 && flip ? "," : "") + (flip ? "flip" : "");
    }
}
