#!/usr/bin/env python3
"""Writes a made-up apt Release shaped like a Debian suite's (the start-up warm-up's RSA sample).

usage: debian_release.py SEED FILES > Release

The usual fields, then an MD5Sum and a SHA256 table of the same FILES paths (components,
architectures, Contents, Packages, Translation and Sources files, as a suite of ten architectures
and four components lists them; Debian 12's has 772 a table, 151 KB signed). Hashes and sizes are
random, deterministic for SEED: the sample is verified and parsed, never fetched.
"""
import random
import sys

seed, count = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(seed)
comps = ["main", "contrib", "non-free-firmware", "non-free"]
archs = ["all", "amd64", "arm64", "armel", "armhf", "i386", "mips64el", "mipsel", "ppc64el", "s390x"]
langs = ["bg", "ca", "cs", "da", "de", "el", "en", "eo", "es", "eu", "fi", "fr", "gl", "hr", "hu", "id", "it",
         "ja", "km", "ko", "ml", "nb", "nl", "pl", "pt", "pt_BR", "ro", "ru", "sk", "sl", "sr", "sv", "tr", "uk",
         "vi", "zh_CN", "zh_TW"]
paths = []
for c in comps:
    for a in archs:
        paths += [f"{c}/Contents-{a}", f"{c}/Contents-{a}.gz", f"{c}/Contents-udeb-{a}", f"{c}/Contents-udeb-{a}.gz"]
        paths += [f"{c}/binary-{a}/{f}" for f in ("Packages", "Packages.gz", "Packages.xz", "Release")]
        paths += [f"{c}/debian-installer/binary-{a}/{f}" for f in ("Packages", "Packages.gz", "Packages.xz", "Release")]
        paths += [f"{c}/dep11/Components-{a}.yml.gz", f"{c}/dep11/Components-{a}.yml.xz"]
    paths += [f"{c}/i18n/Translation-{lang}{x}" for lang in langs for x in ("", ".bz2", ".xz")]
    paths += [f"{c}/source/{f}" for f in ("Release", "Sources", "Sources.gz", "Sources.xz")]
paths = sorted(paths)[:count]


def hexdigits(n):
    return "".join(rnd.choice("0123456789abcdef") for _ in range(n))


sizes = [rnd.randint(20, 60_000_000) for _ in paths]
md5 = [hexdigits(32) for _ in paths]
sha = [hexdigits(64) for _ in paths]
out = ["Origin: reprox-warm-up", "Label: reprox-warm-up", "Suite: warm-up", "Codename: warm-up",
       "Date: Mon, 07 Dec 2026 05:00:00 UTC", "Acquire-By-Hash: yes",
       "Architectures: " + " ".join(archs), "Components: " + " ".join(comps),
       "Description: a made-up suite the server verifies once after it starts (warm-up/SOURCES.md)", "MD5Sum:"]
out += [f" {m} {s:>16} {p}" for m, s, p in zip(md5, sizes, paths)]
out.append("SHA256:")
out += [f" {x} {s:>16} {p}" for x, s, p in zip(sha, sizes, paths)]
sys.stdout.write("\n".join(out) + "\n")
