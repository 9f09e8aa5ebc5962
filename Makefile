# mod_infor: build, test, run, install and package.
#
#   make          the module (mod_infor/.libs/mod_infor.so) and inforadm;
#                 nothing else (no packages installed, no system change)
#   make deps     installs the Debian packages building needs (.ci/deps)
#   make test     installs the test tools (and PostgreSQL, for the tests
#                 that use it), then unit tests, lint, directive check
#                 and the Apache::Test suite
#   make run      installs apache2 and the drivers, then httpd in the
#                 foreground on 127.0.0.1:$(PORT)
#   make install  the module, inforadm, its man page and the example
#                 configuration, under $(DESTDIR)
#   make deb      the Debian package libapache2-mod-infor, into build/
#   make deb-check  builds, installs, runs and purges it (root)
#
# As a non-root user the targets that install packages only say what is
# missing.

APXS    ?= apxs
PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/mod_infor
# httpd's module folder (apxs -q LIBEXECDIR), under $(DESTDIR).
LIBEXECDIR ?= $(shell $(APXS) -q LIBEXECDIR)
# make run takes PORT, INFOR_DATA_DIR, INFOR_ADMIN_PASSWORD, INFOR_DBDRIVER
# and INFOR_DBDPARAMS from the environment or the command line
# (conf/run.sh has their defaults).

# A recipe that filters a command's output must still fail with it.
SHELL       = /bin/bash
.SHELLFLAGS = -o pipefail -ec

WARN     = -Wall -Wextra -Werror
CSTD     = -std=gnu99
INCLUDES = -Iinclude
# Only evaluated in recipes, once the tools they call are installed.
APR_CFLAGS   = $(shell apr-1-config --cflags --cppflags --includes) \
               $(shell apu-1-config --includes)
APR_LIBS     = $(shell apu-1-config --link-ld --libs) \
               $(shell apr-1-config --link-ld --libs)
XML_CFLAGS   = $(shell xml2-config --cflags)
XML_LIBS     = $(shell xml2-config --libs)
APREQ_CFLAGS = $(shell apreq2-config --includes)
APREQ_LIBS   = $(shell apreq2-config --link-ld)
# The store runs SQLite's statements on the connection's own handle.
SQLITE_CFLAGS = $(shell pkg-config --cflags sqlite3)
SQLITE_LIBS   = $(shell pkg-config --libs sqlite3)

# Pure APR code, shared by the module, inforadm and the unit tests.
CORE_SRC = mod_infor/store.c mod_infor/store_write.c mod_infor/store_user.c \
           mod_infor/store_list.c \
           mod_infor/store_session.c mod_infor/xml.c mod_infor/guid.c \
           mod_infor/password.c
OPS_SRC  = mod_infor/dispatch.c mod_infor/ops_table.c \
           mod_infor/ops_session.c mod_infor/ops_user.c \
           mod_infor/ops_admin.c mod_infor/ops_password.c mod_infor/mail.c \
           mod_infor/soap.c mod_infor/xml_scan.c mod_infor/describe.c \
           mod_infor/mask.c mod_infor/guard.c
HTTPD_SRC = mod_infor/mod_infor.c mod_infor/config.c mod_infor/maintain.c \
            mod_infor/request.c mod_infor/respond.c mod_infor/http_decode.c \
            mod_infor/status.c mod_infor/logmask.c mod_infor/log.c \
            mod_infor/throttle.c
MOD_SRC  = $(HTTPD_SRC) $(OPS_SRC) $(CORE_SRC)
HEADERS  = $(wildcard include/*.h)

MODULE   = mod_infor/.libs/mod_infor.so
INFORADM = mod_infor/inforadm
UNIT_SRC = $(wildcard t/unit/*_test.c)
UNIT_BIN = $(UNIT_SRC:t/unit/%_test.c=t/unit/bin/%.t)

.PHONY: all deps test-deps test unit lint apache-test check-directives \
        check-logtags run install clean valgrind bench bench-refresh deb \
        deb-check

all: $(MODULE) $(INFORADM)

deps:
	@.ci/deps build

test-deps:
	@.ci/deps build test pg

$(MODULE): $(MOD_SRC) $(HEADERS)
	$(APXS) -c -o mod_infor/mod_infor.la \
	    $(foreach f,$(WARN) $(CSTD),-Wc,$(f)) $(INCLUDES) \
	    $(APREQ_CFLAGS) $(XML_CFLAGS) $(SQLITE_CFLAGS) \
	    $(MOD_SRC) $(APREQ_LIBS) $(XML_LIBS) $(SQLITE_LIBS) 2>&1 \
	    | { grep -v '^/usr/share/apr-1.0/build/libtool' || true; }

$(INFORADM): mod_infor/inforadm.c $(CORE_SRC) $(HEADERS)
	$(CC) $(WARN) $(CSTD) -O2 $(INCLUDES) $(APR_CFLAGS) $(SQLITE_CFLAGS) \
	    -o $@ mod_infor/inforadm.c $(CORE_SRC) $(APR_LIBS) $(SQLITE_LIBS)

t/unit/bin/%.t: t/unit/%_test.c t/unit/tap.h $(OPS_SRC) $(CORE_SRC) $(HEADERS)
	@mkdir -p t/unit/bin
	$(CC) $(WARN) $(CSTD) -g $(INCLUDES) $(APR_CFLAGS) $(XML_CFLAGS) \
	    $(SQLITE_CFLAGS) -o $@ $< $(OPS_SRC) $(CORE_SRC) $(XML_LIBS) \
	    $(APR_LIBS) $(SQLITE_LIBS)

unit: all
	@$(MAKE) --no-print-directory $(UNIT_BIN)
	prove --exec '' $(UNIT_BIN)

# APR's own idiom ends variadic string lists with a bare NULL.
lint:
	cppcheck --error-exitcode=1 --quiet --std=c99 --inline-suppr \
	    --enable=warning,style,performance,portability \
	    --suppress=missingIncludeSystem --suppress=varFuncNullUB \
	    -D'APLOGNO(n)=' -Iinclude mod_infor/*.c $(UNIT_SRC)

check-directives:
	t/check_directives.sh

check-logtags:
	t/check_logtags.sh

apache-test: all
	perl t/TEST.PL -clean >/dev/null 2>&1 || true
	perl t/TEST.PL t/api

test: test-deps
	@$(MAKE) --no-print-directory unit lint check-directives check-logtags \
	    apache-test

# Not part of `make test`: slow (valgrind) or machine-dependent (figures).
valgrind: all
	t/valgrind.sh

# The calls against a static file, on SQLite and PostgreSQL, and the
# performance targets (t/bench/writes.sh lists its BENCH_* variables).
bench: all
	t/bench/writes.sh

bench-refresh: all
	t/bench/ticket_refresh.sh

run:
	@.ci/deps build run
	@$(MAKE) --no-print-directory all
	conf/run.sh

install: all
	install -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DATADIR)
	install -m 0644 $(MODULE) $(DESTDIR)$(LIBEXECDIR)/mod_infor.so
	install -m 0755 $(INFORADM) $(DESTDIR)$(SBINDIR)/inforadm
	install -m 0644 conf/inforadm.8 $(DESTDIR)$(MANDIR)/man8/inforadm.8
	install -m 0644 conf/infor.conf $(DESTDIR)$(DATADIR)/infor.conf
	@echo "Now include $(DATADIR)/infor.conf from your httpd"
	@echo "configuration; see the README, 'Installing'."

# The Debian package, built from a copy of the tree with debian/ taken
# from conf/debian/ (the top level keeps to its own folders).
deb:
	@.ci/deps build deb
	rm -rf build && mkdir -p build/src
	git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t build/src
	cp -r conf/debian build/src/debian
	cd build/src && dpkg-buildpackage -us -uc -b
	@ls build/*.deb

# The package installed, enabled, serving and purged on this machine's
# apache2 (root; .ci/run runs it after make test).
deb-check:
	t/deb/check.sh

clean:
	rm -rf mod_infor/.libs mod_infor/*.lo mod_infor/*.slo mod_infor/*.la \
	    mod_infor/*.o $(INFORADM) t/unit/bin build
	-perl t/TEST.PL -clean >/dev/null 2>&1

# Lists, lookups and resets with many users generated into the store
# (t/bench/scale.sh lists its BENCH_* variables; BENCH_USERS=1000000).
bench-scale: all
	t/bench/scale.sh
