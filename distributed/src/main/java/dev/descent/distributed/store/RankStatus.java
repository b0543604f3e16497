package dev.descent.distributed.store;

/**
 * What the rendezvous store knows of one rank.
 *
 * @param rank the rank
 * @param joined whether it has connected
 * @param exited whether its connection closed without a goodbye: the process exited or was killed
 * @param done whether it left cleanly (closed its group)
 * @param sequence the number of the collective it entered last (0: none yet)
 * @param op that collective's name ("" before the first)
 * @param millisSinceProgress how long ago it entered that collective (or joined)
 */
public record RankStatus(int rank, boolean joined, boolean exited, boolean done, long sequence, String op,
        long millisSinceProgress) {
}
