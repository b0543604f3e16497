/**
 * The backend conformance suite: every op of the tensor API, run on a backend and compared
 * with a float64 reference of plain loops.
 *
 * <p>A backend runs it by extending {@link dev.descent.conformance.BackendConformance} in its
 * test sources and naming itself ({@code super("cpu")}). {@link dev.descent.conformance.RefArray}
 * is the reference, {@link dev.descent.conformance.Tolerance} the per-dtype bounds and
 * {@link dev.descent.conformance.ConformanceReport} the table printed at the end of a run.
 */
package dev.descent.conformance;
