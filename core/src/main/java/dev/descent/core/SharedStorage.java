package dev.descent.core;

import dev.descent.core.spi.Storage;

/**
 * Counts the tensors (a base and its views) that use one storage, and frees the storage
 * when the last of them is closed. The backend's own Cleaner frees it if they are never
 * closed.
 */
final class SharedStorage {
    private final Storage storage;
    private int users = 1;

    SharedStorage(Storage storage) {
        this.storage = storage;
    }

    Storage storage() {
        return storage;
    }

    /** The open tensors on this storage. */
    synchronized int users() {
        return users;
    }

    synchronized SharedStorage retain() {
        if (users == 0) {
            throw new IllegalStateException("storage already freed");
        }
        users++;
        return this;
    }

    synchronized void release() {
        if (--users == 0) {
            storage.free();
        }
    }
}
