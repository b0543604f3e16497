/** Second-order methods for small problems: Newton's method with autograd's Hessian, and L-BFGS with a strong-Wolfe search. */
package dev.descent.optim.secondorder;
