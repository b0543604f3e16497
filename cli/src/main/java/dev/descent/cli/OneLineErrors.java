package dev.descent.cli;

import dev.descent.core.BackendUnavailableException;
import dev.descent.distributed.CollectiveException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every error into one line on standard error and an exit status, never a stack trace
 * (set {@code DESCENT_DEBUG=1} to see one): a wrong option or value, or a library's argument
 * check ({@link IllegalArgumentException}), is a usage error; a file or backend problem is a
 * failure.
 */
final class OneLineErrors implements IParameterExceptionHandler, IExecutionExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        cl.getErr().println(qualifiedName(cl) + ": " + ex.getMessage() + " (see '" + qualifiedName(cl) + " --help')");
        return ExitCodes.USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
        if (System.getenv("DESCENT_DEBUG") != null) {
            ex.printStackTrace(cl.getErr());
        }
        cl.getErr().println(qualifiedName(cl) + ": " + message(ex));
        if (ex instanceof UserError || ex instanceof IllegalArgumentException) {
            return ExitCodes.USAGE;
        }
        return ExitCodes.FAILED;
    }

    static String message(Throwable ex) {
        Throwable t = ex instanceof UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
        if (t instanceof NoSuchFileException nf) {
            return "no such file: " + nf.getFile() + (nf.getReason() == null ? "" : " (" + nf.getReason() + ")");
        }
        if (t instanceof FileSystemException fs && fs.getFile() != null) {
            // their message is often the path alone ("/dev/null"): say what went wrong with it
            return fs.getFile() + ": " + (fs.getReason() != null ? fs.getReason() : what(fs))
                    + (fs.getOtherFile() == null ? "" : " (" + fs.getOtherFile() + ")");
        }
        if (t instanceof BackendUnavailableException || t instanceof IllegalArgumentException || t instanceof UserError
                || t instanceof IOException || t instanceof CollectiveException) {
            return t.getMessage();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static String what(FileSystemException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "exists already (and is not what was expected there)";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        return e.getClass().getSimpleName();
    }

    private static String qualifiedName(CommandLine cl) {
        StringBuilder sb = new StringBuilder(cl.getCommandName());
        for (CommandLine p = cl.getParent(); p != null; p = p.getParent()) {
            sb.insert(0, p.getCommandName() + " ");
        }
        return sb.toString();
    }
}
