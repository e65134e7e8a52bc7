#!/bin/sh
# packaging/deb/build.sh SRCDIR BUILDDIR VERSION: gamewatch_VERSION_ARCH.deb
# in BUILDDIR (what `make deb` runs; VERSION empty: PACKAGE_VERSION-1).
#
# The tree is configured for a Debian system in BUILDDIR/deb-build (prefix
# /usr, /etc, /var, /run, /usr/libexec; the unit in /lib/systemd/system),
# built and installed (stripped) into BUILDDIR/deb-root with `make
# install-strip DESTDIR=...`: the same install rules as `make install`.
# Then the files Debian wants elsewhere move there (cron.d, logrotate.d,
# apache2/conf-available, lighttpd/conf-available), the control file gets
# its Depends from dpkg-shlibdeps (the libraries the programs link) and its
# Installed-Size from dpkg-gencontrol, every file under /etc becomes a
# conffile, and dpkg-deb builds the package with root-owned files.
# deb-build is kept: a second run (another VERSION) rebuilds only what
# changed. Needs dpkg-dev (dpkg-shlibdeps, dpkg-gencontrol).
set -eu
SRC=${1:?SRCDIR} OUT=${2:?BUILDDIR} VERSION=${3:-}
umask 022
die() { echo "make deb: $*" >&2; exit 1; }
for t in dpkg-shlibdeps dpkg-gencontrol dpkg-deb; do
	command -v $t >/dev/null || die "$t missing (apt-get install dpkg-dev)"
done
B=$OUT/deb-build ROOT=$OUT/deb-root META=$OUT/deb-meta
mkdir -p "$B"
if [ ! -f "$B/Makefile" ]; then
	echo "make deb: configure (in deb-build)" >&2
	(cd "$B" && "$SRC/configure" --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
		--runstatedir=/run --libexecdir=/usr/libexec \
		--with-systemdsystemunitdir=/lib/systemd/system --with-tmpfilesdir=/usr/lib/tmpfiles.d \
		>configure.out 2>&1) || { tail -n 30 "$B/configure.out" >&2; die "configure failed"; }
fi
PV=$(sed -n 's/^PACKAGE_VERSION = //p' "$B/Makefile")
[ -n "$VERSION" ] || VERSION=$PV-1
echo "make deb: make (in deb-build)" >&2
make -C "$B" -j2 >"$B/make.out" 2>&1 || { tail -n 40 "$B/make.out" >&2; die "make failed"; }
rm -rf "$ROOT" "$META"
make -C "$B" install-strip DESTDIR="$ROOT" >"$B/install.out" 2>&1 \
	|| { tail -n 30 "$B/install.out" >&2; die "make install failed"; }
[ -s "$ROOT/usr/share/gamewatch/static/vendor/htmx.min.js" ] || die "static/vendor/ was not installed"

# Debian's places
E=$ROOT/etc DOC=$ROOT/usr/share/doc/gamewatch
mkdir -p "$E/cron.d" "$E/logrotate.d" "$E/apache2/conf-available" "$E/lighttpd/conf-available"
mv "$E/gamewatch/cron.d" "$E/cron.d/gamewatch"
mv "$E/gamewatch/logrotate" "$E/logrotate.d/gamewatch"
mv "$E/gamewatch/proxy-fcgi.conf" "$E/apache2/conf-available/gamewatch.conf"
mv "$E/gamewatch/fcgid.conf" "$E/apache2/conf-available/gamewatch-fcgid.conf"
cp "$DOC/examples/lighttpd-50-gamewatch.conf" "$E/lighttpd/conf-available/50-gamewatch.conf"
mv "$E/gamewatch/crontab" "$DOC/examples/crontab"
mv "$E/gamewatch/htaccess" "$DOC/examples/htaccess"
# made by the postinst with their owners (the package holds no state)
rm -rf "$ROOT/var"
cp "$SRC/packaging/deb/copyright" "$DOC/copyright"
mkdir -p "$META/debian"
desc=$(cd "$SRC" && git describe --always --dirty 2>/dev/null || echo "a source tree")
{
	printf 'gamewatch (%s) unstable; urgency=medium\n\n' "$VERSION"
	printf '  * Built by make deb from %s.\n\n' "$desc"
	printf ' -- GameWatch maintainers <gamewatch@localhost>  %s\n' "$(date -R)"
} >"$META/debian/changelog"
gzip -9n <"$META/debian/changelog" >"$DOC/changelog.Debian.gz"
cp "$SRC/packaging/deb/control" "$META/debian/control"
mkdir -p "$ROOT/DEBIAN"
(cd "$META" && dpkg-shlibdeps -Tdebian/substvars \
	"$ROOT/usr/libexec/gamewatch/gamewatch.fcgi" "$ROOT/usr/libexec/gamewatch/gamewatch-stream" \
	"$ROOT/usr/bin/gamewatch-job" \
	&& dpkg-gencontrol -pgamewatch -ldebian/changelog -Tdebian/substvars -P"$ROOT" -v"$VERSION") \
	|| die "dpkg-shlibdeps/dpkg-gencontrol failed"
for s in postinst prerm postrm; do
	install -m 0755 "$SRC/packaging/deb/$s" "$ROOT/DEBIAN/$s"
done
(cd "$ROOT" && find etc -type f | sed 's|^|/|' | sort) >"$ROOT/DEBIAN/conffiles"
(cd "$ROOT" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -print \
	| sed 's|^\./||' | sort | xargs md5sum) >"$ROOT/DEBIAN/md5sums"
ARCH=$(dpkg --print-architecture)
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$OUT/gamewatch_${VERSION}_$ARCH.deb" >/dev/null
echo "$OUT/gamewatch_${VERSION}_$ARCH.deb"
