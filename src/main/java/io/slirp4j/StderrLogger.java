package io.slirp4j;

import io.netty.util.internal.logging.AbstractInternalLogger;
import io.netty.util.internal.logging.FormattingTuple;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.MessageFormatter;
import java.io.PrintStream;

/**
 * Netty's log, written to stderr as {@code slirp4j: netty: LEVEL: message} for warnings and errors (leak reports,
 * failed event loop tasks) and dropped below that.
 *
 * <p>Why not Netty's default: it probes for SLF4J, Log4j 2 and Log4j in turn (each a failed class load with an
 * exception) and settles on java.util.logging, whose LogManager start-up reads its configuration; together ~100 ms
 * of every start on these machines, to reach the same stderr.
 */
final class StderrLogger extends AbstractInternalLogger {
    private static final long serialVersionUID = 1L;

    static final InternalLoggerFactory FACTORY = new InternalLoggerFactory() {
        @Override
        protected InternalLogger newInstance(String name) {
            return new StderrLogger(name, System.err);
        }
    };

    private final transient PrintStream out;

    StderrLogger(String name, PrintStream out) {
        super(name);
        this.out = out;
    }

    private void print(String level, FormattingTuple t) {
        print(level, t.getMessage(), t.getThrowable());
    }

    private void print(String level, String msg, Throwable cause) {
        synchronized (out) {
            out.println("slirp4j: netty: " + level + ": " + msg);
            if (cause != null) {
                cause.printStackTrace(out);
            }
        }
    }

    @Override
    public boolean isTraceEnabled() {
        return false;
    }

    @Override
    public void trace(String msg) {
    }

    @Override
    public void trace(String format, Object arg) {
    }

    @Override
    public void trace(String format, Object argA, Object argB) {
    }

    @Override
    public void trace(String format, Object... arguments) {
    }

    @Override
    public void trace(String msg, Throwable t) {
    }

    @Override
    public boolean isDebugEnabled() {
        return false;
    }

    @Override
    public void debug(String msg) {
    }

    @Override
    public void debug(String format, Object arg) {
    }

    @Override
    public void debug(String format, Object argA, Object argB) {
    }

    @Override
    public void debug(String format, Object... arguments) {
    }

    @Override
    public void debug(String msg, Throwable t) {
    }

    @Override
    public boolean isInfoEnabled() {
        return false;
    }

    @Override
    public void info(String msg) {
    }

    @Override
    public void info(String format, Object arg) {
    }

    @Override
    public void info(String format, Object argA, Object argB) {
    }

    @Override
    public void info(String format, Object... arguments) {
    }

    @Override
    public void info(String msg, Throwable t) {
    }

    @Override
    public boolean isWarnEnabled() {
        return true;
    }

    @Override
    public void warn(String msg) {
        print("WARN", msg, null);
    }

    @Override
    public void warn(String format, Object arg) {
        print("WARN", MessageFormatter.format(format, arg));
    }

    @Override
    public void warn(String format, Object argA, Object argB) {
        print("WARN", MessageFormatter.format(format, argA, argB));
    }

    @Override
    public void warn(String format, Object... arguments) {
        print("WARN", MessageFormatter.arrayFormat(format, arguments));
    }

    @Override
    public void warn(String msg, Throwable t) {
        print("WARN", msg, t);
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }

    @Override
    public void error(String msg) {
        print("ERROR", msg, null);
    }

    @Override
    public void error(String format, Object arg) {
        print("ERROR", MessageFormatter.format(format, arg));
    }

    @Override
    public void error(String format, Object argA, Object argB) {
        print("ERROR", MessageFormatter.format(format, argA, argB));
    }

    @Override
    public void error(String format, Object... arguments) {
        print("ERROR", MessageFormatter.arrayFormat(format, arguments));
    }

    @Override
    public void error(String msg, Throwable t) {
        print("ERROR", msg, t);
    }
}
