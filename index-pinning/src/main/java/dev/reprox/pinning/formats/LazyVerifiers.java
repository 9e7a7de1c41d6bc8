package dev.reprox.pinning.formats;

import dev.reprox.pinning.SignatureInvalidException;
import dev.reprox.pinning.apk.ApkIndex;
import dev.reprox.pinning.apk.ApkIndexVerifier;
import dev.reprox.pinning.pgp.SignatureVerifier;
import dev.reprox.pinning.pgp.Verification;
import java.util.List;
import java.util.SortedSet;
import java.util.concurrent.Callable;

/**
 * Verifiers whose keyring is parsed on first use or by {@link Formats.Built#warm}, whichever comes first.
 * Parsing is Bouncy Castle's and the JDK's validation of every RSA key (the built-in keyrings hold
 * dozens): seconds in a fresh JVM on two cores, which kept {@code serve} from answering
 * {@code /healthz} until all nine built-in repositories were ready. The server now starts
 * listening at once and warms the keyrings on a background thread; a request that needs a
 * keyring before then waits for it, and a keyring that cannot be parsed fails every request of
 * its repository with the reason (and is logged at startup by the warm-up).
 */
final class LazyVerifiers {
  private LazyVerifiers() {}

  /** Builds the value once; a failure is remembered and thrown to every caller. */
  static final class Once<T> {
    private final Callable<T> build;
    private final String what;
    private volatile T value;
    private volatile RuntimeException failure;

    Once(String what, Callable<T> build) {
      this.what = what;
      this.build = build;
    }

    T get() {
      T v = value;
      if (v != null) {
        return v;
      }
      synchronized (this) {
        if (value == null && failure == null) {
          try {
            value = build.call();
          } catch (Exception e) {
            failure = new IllegalStateException(what + ": " + e.getMessage(), e);
          }
        }
        if (failure != null) {
          throw failure;
        }
        return value;
      }
    }
  }

  static SignatureVerifier pgp(Once<SignatureVerifier> keyring) {
    return new SignatureVerifier() {
      @Override
      public Verification verifyClearsigned(byte[] file) throws SignatureInvalidException {
        return keyring.get().verifyClearsigned(file);
      }

      @Override
      public Verification verifyDetached(byte[] data, byte[] signature) throws SignatureInvalidException {
        return keyring.get().verifyDetached(data, signature);
      }

      @Override
      public List<String> primaryFingerprints() {
        return keyring.get().primaryFingerprints();
      }
    };
  }

  static ApkIndexVerifier apk(Once<ApkIndexVerifier> keyring) {
    return new ApkIndexVerifier() {
      @Override
      public ApkIndex verify(byte[] file, String what) throws SignatureInvalidException {
        return keyring.get().verify(file, what);
      }

      @Override
      public SortedSet<String> keyNames() {
        return keyring.get().keyNames();
      }
    };
  }
}
