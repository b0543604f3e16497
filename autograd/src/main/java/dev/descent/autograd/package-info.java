/**
 * Reverse-mode automatic differentiation over the tensor API (seed 004 §2.4 and §2.A).
 *
 * <p>{@link dev.descent.autograd.Variable} is the differentiable value: ops on it record a graph
 * of {@link dev.descent.autograd.Node}s as they run, and {@code backward()} sweeps it in reverse.
 * {@link dev.descent.autograd.NoGrad} turns recording off; {@link dev.descent.autograd.AnomalyMode}
 * finds the op that makes a NaN gradient. {@link dev.descent.autograd.Autograd} gives derivatives
 * as functions (gradient, Jacobian, Hessian, Hessian-vector product), and
 * {@link dev.descent.autograd.GradCheck} checks any of them against finite differences.
 */
package dev.descent.autograd;
