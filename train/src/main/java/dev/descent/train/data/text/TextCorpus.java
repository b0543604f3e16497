package dev.descent.train.data.text;

import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Tensor;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.Dataset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A text as token ids, for a language model. {@link #windows} splits it by position, the first
 * 90% for training and the rest for validation (as nanoGPT does), into
 *
 * <ul>
 *   <li>a training set of <em>every</em> window of {@code context + 1} consecutive tokens (inputs
 *       are a window's first {@code context} tokens, targets its last {@code context}: each
 *       position predicts the next token), drawn at random by a
 *       {@link dev.descent.train.data.DataLoader#withReplacement seeded sampler}; and</li>
 *   <li>a validation set of the validation part's windows laid end to end, without overlap.</li>
 * </ul>
 *
 * Both are views of one int32 tensor of the text's ids on the device: no window is copied until
 * a batch gathers it.
 */
public final class TextCorpus {
    /** The share of the text, from its start, that is trained on. */
    public static final double TRAIN_FRACTION = 0.9;

    private final String name;
    private final Tokenizer tokenizer;
    private final int[] tokens;

    private TextCorpus(String name, Tokenizer tokenizer, int[] tokens) {
        this.name = name;
        this.tokenizer = tokenizer;
        this.tokens = tokens;
    }

    /**
     * The text of {@code file} (UTF-8) with a tokenizer of {@code kind}: {@code char} (the
     * file's own alphabet) or {@code byte}.
     *
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when it is empty, or not UTF-8 text for the char tokenizer,
     *     saying what to do
     */
    public static TextCorpus read(Path file, String kind) throws IOException {
        Tokenizer.checkKind(kind);
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length == 0) {
            throw new IllegalArgumentException(file + " is empty; give a text file (a few hundred KB of text or more "
                    + "to learn from)");
        }
        if (kind.equals("byte")) {
            int[] ids = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                ids[i] = bytes[i] & 0xFF;
            }
            return new TextCorpus(file.toString(), new ByteTokenizer(), ids);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + " is not UTF-8 text (" + e.getMessage()
                    + "); convert it to UTF-8, or read it as bytes with the byte tokenizer");
        }
        return of(file.toString(), text, CharTokenizer.fit(text));
    }

    /** {@code text} encoded by {@code tokenizer}; {@code name} names it in messages. */
    public static TextCorpus of(String name, String text, Tokenizer tokenizer) {
        return new TextCorpus(name, tokenizer, tokenizer.encode(text));
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The number of tokens. */
    public int size() {
        return tokens.length;
    }

    /** Where the validation part starts: the first token after {@link #TRAIN_FRACTION} of the text. */
    public int validationStart() {
        return (int) (tokens.length * TRAIN_FRACTION);
    }

    /**
     * The training and validation windows of {@code context} tokens (see the class comment), on
     * {@code device}.
     *
     * @throws IllegalArgumentException when either part is shorter than {@code context + 1} tokens,
     *     saying how long the text must be
     */
    public DataSplit windows(int context, Device device) {
        Check.argument(context >= 1, "TextCorpus", "expected a context of at least 1 token, got %d", context);
        int split = validationStart();
        int trainLength = split;
        int validationLength = tokens.length - split;
        if (trainLength < context + 1 || validationLength < context + 1) {
            long needed = shortestFor(context);
            throw new IllegalArgumentException(String.format("%s has %d tokens, too few for a context of %d: its "
                    + "training part (the first 90%%) and validation part (the last 10%%) each need at least %d; give "
                    + "a text of at least %d tokens, or a smaller context", name, tokens.length, context, context + 1,
                    needed));
        }
        try (Tensor all = Tensor.of(device, DType.INT32, toDoubles(tokens), tokens.length);
             Tensor train = all.narrow(0, 0, trainLength);
             Tensor validation = all.narrow(0, split, validationLength)) {
            Dataset trainSet = windowsOf(name + " (training)", train, context, 1, trainLength - context);
            int count = (validationLength - 1) / context;
            try {
                return new DataSplit(trainSet, windowsOf(name + " (validation)", validation, context, context, count));
            } catch (RuntimeException e) {
                trainSet.close();
                throw e;
            }
        }
    }

    /** The fewest tokens whose two parts each hold a window of {@code context + 1}. */
    private static long shortestFor(int context) {
        long n = 2L * (context + 1);
        while ((long) (n * TRAIN_FRACTION) < context + 1 || n - (long) (n * TRAIN_FRACTION) < context + 1) {
            n++;
        }
        return n;
    }

    /** {@code count} windows of {@code context} inputs and targets, {@code step} apart, as views of {@code part}. */
    private static Dataset windowsOf(String name, Tensor part, int context, int step, int count) {
        int span = (count - 1) * step + context;
        try (Tensor inputs = part.narrow(0, 0, span); Tensor targets = part.narrow(0, 1, span)) {
            return Dataset.sequences(name, inputs.unfold(0, context, step), targets.unfold(0, context, step));
        }
    }

    private static double[] toDoubles(int[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    @Override
    public String toString() {
        return name + ": " + tokens.length + " tokens, " + tokenizer;
    }
}
