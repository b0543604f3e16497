/** Step-length searches along a direction (Armijo backtracking, golden-section bracketing) and steepest descent with them. */
package dev.descent.optim.linesearch;
