package dev.reprox.server.cli;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.crypto.params.RSAKeyParameters;

/**
 * Run in a JVM of its own: whether Bouncy Castle runs its Miller-Rabin compositeness rounds on an
 * RSA public key's modulus after {@link Main#jvmDefaults}. A 1,024-bit prime passes every check
 * but those rounds, so the key is "accepted" exactly when the rounds are off.
 */
final class RsaModulusProbe {
  private RsaModulusProbe() {}

  public static void main(String[] args) {
    if (args.length == 0 || !args[0].equals("--no-defaults")) {
      Main.jvmDefaults();
    }
    BigInteger prime = BigInteger.probablePrime(1024, new SecureRandom());
    try {
      new RSAKeyParameters(false, prime, BigInteger.valueOf(65537));
      System.out.println("modulus accepted");
    } catch (IllegalArgumentException e) {
      System.out.println("modulus refused: " + e.getMessage());
    }
  }
}
