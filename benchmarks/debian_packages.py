#!/usr/bin/env python3
"""Writes a Debian-sized Packages file: ENTRIES stanzas shaped like bookworm main amd64's.

usage: debian_packages.py OUT ENTRIES SEED [EXTRA_STANZA_FILE]

Field for field as in the real file (Package, Version, Installed-Size, Maintainer, Architecture,
Depends, Description, Homepage, Description-md5, Tag, Section, Priority, Filename, Size, MD5sum,
SHA256), about 740 bytes a stanza, so that xz -6 makes it about as large as the real one (8.8 MB
for 63,440 entries): the hashes are random (incompressible, as there), names and words come from a
small generated vocabulary (compressible, as there). The stanzas in EXTRA_STANZA_FILE (real files
of the benchmark's pool) are put in at their sorted place. Deterministic for a given SEED.
"""
import hashlib
import random
import sys

out, entries, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
extra = open(sys.argv[4]).read().strip() + "\n" if len(sys.argv) > 4 else ""
rnd = random.Random(seed)
SYL = ["ba", "co", "de", "fi", "gu", "ha", "jo", "ka", "li", "mo", "nu", "pe", "qui", "ra", "si",
       "to", "vu", "wa", "xe", "yo", "ze", "lib", "py", "perl", "gir", "dev", "dbg", "doc", "data",
       "common", "utils", "tools", "gnome", "kde", "qt", "gtk", "x11", "ruby", "node", "golang"]
WORDS = ["library", "for", "the", "and", "of", "tool", "files", "development", "module", "plugin",
         "support", "interface", "documentation", "Python", "Perl", "GNOME", "data", "shared",
         "bindings", "client", "server", "utilities", "runtime", "debug", "symbols", "extension",
         "framework", "command-line", "parser", "library)", "(development", "headers", "fonts",
         "kernel", "driver", "network", "graphics", "audio", "video", "toolkit", "engine", "game"]
SECTIONS = ["libs", "libdevel", "python", "perl", "doc", "utils", "net", "admin", "devel", "games",
            "x11", "gnome", "kde", "web", "text", "science", "math", "sound", "graphics", "misc"]
TAGS = ["devel::library", "role::shared-lib", "implemented-in::c", "role::devel-lib",
        "implemented-in::python", "role::program", "interface::commandline", "scope::utility",
        "use::configuring", "works-with::text", "role::documentation", "suite::gnome"]


def name():
    return "".join(rnd.choice(SYL) for _ in range(rnd.randint(2, 5))) + rnd.choice(["", "", "-dev", "1", "-doc"])


people = [f"{' '.join(w.capitalize() for w in (name(), name()))} <{name()}@debian.org>" for _ in range(3000)]
names = sorted({name() + (str(i) if i % 7 == 0 else "") for i in range(int(entries * 1.2))})[:entries]
if len(names) < entries:
    names += [f"pkg{i:06d}" for i in range(entries - len(names))]
stanzas = []
for n in names:
    ver = f"{rnd.randint(0, 9)}.{rnd.randint(0, 40)}.{rnd.randint(0, 20)}-{rnd.randint(1, 9)}"
    if rnd.random() < 0.3:
        ver = f"{rnd.randint(1, 3)}:{ver}"
    size = int(rnd.lognormvariate(11, 1.6)) + 1000
    deps = ", ".join(f"{rnd.choice(names) if rnd.random() < 0.5 else name()} (>= {rnd.randint(0, 9)}.{rnd.randint(0, 20)})"
                     for _ in range(rnd.randint(0, 6)))
    desc = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(3, 9)))
    src = n.split("-")[0]
    s = [f"Package: {n}"]
    if rnd.random() < 0.2:
        s.append(f"Source: {src}")
    s += [f"Version: {ver}", f"Installed-Size: {size * 3 // 1024}", f"Maintainer: {rnd.choice(people)}",
          "Architecture: amd64"]
    if deps:
        s.append(f"Depends: {deps}")
    s += [f"Description: {desc}", f"Homepage: https://{name()}.org/{name()}",
          f"Description-md5: {rnd.getrandbits(128):032x}",
          f"Tag: {', '.join(sorted(rnd.sample(TAGS, rnd.randint(1, 5))))}",
          f"Section: {rnd.choice(SECTIONS)}", f"Priority: {rnd.choice(['optional'] * 9 + ['extra'])}",
          f"Filename: pool/main/{src[0]}/{src}/{n}_{ver.split(':')[-1]}_amd64.deb", f"Size: {size}",
          f"MD5sum: {rnd.getrandbits(128):032x}", f"SHA256: {hashlib.sha256(rnd.randbytes(16)).hexdigest()}"]
    stanzas.append((n, "\n".join(s) + "\n"))
for block in extra.split("\n\n"):
    if block.strip():
        stanzas.append((block.split("\n", 1)[0].split(": ", 1)[1], block.strip() + "\n"))
stanzas.sort(key=lambda x: x[0])
with open(out, "w") as f:
    f.write("\n".join(s for _, s in stanzas))
