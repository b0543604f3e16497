package dev.descent.distributed;

import dev.descent.core.BackendUnavailableException;

/** Asks for Gloo in a JVM told to look for it where it is not; prints the exception's message. */
public final class MissingGlooMain {
    private MissingGlooMain() {
    }

    public static void main(String[] args) {
        try {
            ProcessGroups.init("gloo", Rendezvous.fromEnvironment());
            System.out.println("joined");
        } catch (BackendUnavailableException e) {
            System.out.println("unavailable: " + e.getMessage());
        }
    }
}
