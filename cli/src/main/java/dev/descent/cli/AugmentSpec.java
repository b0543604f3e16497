package dev.descent.cli;

import dev.descent.train.data.Augmentation;
import java.util.Locale;

/** The {@code --augment} option: {@code none}, {@code crop:P}, {@code flip} or {@code crop:P,flip}. */
final class AugmentSpec {
    private AugmentSpec() {
    }

    /**
     * Parses the option; {@code fill} is the value of the crop's padding (where a black pixel lies
     * after standardisation). A one-line {@link UserError} for anything else.
     */
    static Augmentation parse(String text, double fill) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        if (t.equals("none")) {
            return Augmentation.NONE;
        }
        int padding = 0;
        boolean flip = false;
        for (String part : t.split(",", -1)) {
            if (part.equals("flip") && !flip) {
                flip = true;
            } else if (part.startsWith("crop:") && padding == 0) {
                try {
                    padding = Integer.parseInt(part.substring(5));
                } catch (NumberFormatException e) {
                    padding = -1;
                }
                if (padding < 1) {
                    throw new UserError("--augment: the crop's padding must be a positive integer, got '" + part + "'");
                }
            } else {
                throw new UserError("--augment: expected none, crop:P, flip or crop:P,flip, got '" + text + "'");
            }
        }
        return new Augmentation(padding, flip, fill);
    }
}
