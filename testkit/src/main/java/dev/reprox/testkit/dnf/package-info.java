/**
 * Fixture dnf repositories and the real dnf that reads them. {@link
 * dev.reprox.testkit.dnf.DnfRepoBuilder} builds tiny noarch {@code .rpm}s with {@code rpmbuild}
 * (deterministic: {@code SOURCE_DATE_EPOCH}, clamped mtimes, fixed build host), signs them with
 * {@code rpmsign} and a throwaway gpg key in a private {@code GNUPGHOME}, writes repodata with
 * {@code createrepo_c --revision N --set-timestamp-to-revision} and a detached armored
 * {@code repomd.xml.asc}, and can move to the next generation or tamper with files; {@link
 * dev.reprox.testkit.dnf.DnfClient} runs {@code dnf} into a private {@code --installroot} with
 * {@code gpgcheck=1} and {@code repo_gpgcheck=1}. Both stop the gpg-agents they cause, by PID.
 */
package dev.reprox.testkit.dnf;
