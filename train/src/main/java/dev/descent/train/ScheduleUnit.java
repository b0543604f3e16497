package dev.descent.train;

/** What a learning-rate schedule counts: optimiser steps or epochs (seed 003: "decay every N epochs"). */
public enum ScheduleUnit { STEP, EPOCH }
