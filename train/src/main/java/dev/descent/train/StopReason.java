package dev.descent.train;

/** Why a training run ended. */
public enum StopReason {
    /** It trained the number of epochs it was given. */
    MAX_EPOCHS,
    /** The epoch's training loss fell below the loss tolerance. */
    LOSS_TOLERANCE,
    /** The epoch's mean gradient norm fell below the gradient-norm tolerance (seed 003: a minimum is flat). */
    GRAD_NORM_TOLERANCE,
    /** The watched loss did not improve for the given number of epochs (early stopping). */
    NO_IMPROVEMENT,
    /** A loss or a gradient norm was not finite: the run diverged and was stopped. */
    DIVERGED,
    /** A callback asked the trainer to stop. */
    STOPPED_BY_CALLBACK,
    /** It took the number of optimiser steps it was given, perhaps in the middle of an epoch. */
    MAX_STEPS
}
