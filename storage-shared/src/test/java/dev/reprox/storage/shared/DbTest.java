package dev.reprox.storage.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reprox.storage.StorageException;
import dev.reprox.storage.StorageUnavailableException;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * {@link Db#call} after a PostgreSQL restart: every idle connection of the pool carries the
 * server's "terminating connection" notice (SQLSTATE 57P01) and fails its first statement without
 * running it. SharedReplicasTest's restart found two such connections in a pool once, and the call
 * that tried only one more failed.
 */
class DbTest {
  private final AtomicInteger connections = new AtomicInteger();
  private final Db db = new Db(new Pool());

  @Test
  void call_skipsEveryConnectionThatIdledThroughARestart() throws StorageException {
    AtomicInteger runs = new AtomicInteger();

    String answer = db.call("pins get", c -> {
      if (runs.incrementAndGet() <= 3) {
        throw new SQLException("FATAL: terminating connection due to administrator command", "57P01");
      }
      return "pin";
    });

    assertThat(answer).isEqualTo("pin");
    assertThat(connections).as("a fresh connection each time").hasValue(4);
  }

  @Test
  void call_terminatedEveryTime_givesUpAfterAPoolsWorth_asUnavailable() {
    AtomicInteger runs = new AtomicInteger();

    assertThatThrownBy(() -> db.call("pins get", c -> {
      runs.incrementAndGet();
      throw new SQLException("FATAL: terminating connection due to administrator command", "57P01");
    })).isInstanceOf(StorageUnavailableException.class).hasMessageContaining("database (PostgreSQL) unavailable");

    assertThat(runs).hasValue(Db.STALE_CONNECTIONS_UNKNOWN_POOL + 1);
  }

  @Test
  void call_otherFailure_notTriedAgain() {
    AtomicInteger runs = new AtomicInteger();

    assertThatThrownBy(() -> db.call("pins put", c -> {
      runs.incrementAndGet();
      throw new SQLException("duplicate key value violates unique constraint", "23505");
    })).isInstanceOf(StorageException.class);

    assertThat(runs).hasValue(1);
  }

  /** Hands out connections that only count themselves and close. */
  private final class Pool implements DataSource {
    @Override
    public Connection getConnection() {
      connections.incrementAndGet();
      return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
          (proxy, method, args) -> switch (method.getName()) {
            case "close" -> null;
            case "isClosed" -> false;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> throw new UnsupportedOperationException(method.getName());
          });
    }

    @Override
    public Connection getConnection(String user, String password) {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() {
      return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
