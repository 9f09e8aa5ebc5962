# mod_infor: build, test, run and install.
#
#   make          the module (mod_infor/.libs/mod_infor.so) and inforadm
#   make test     unit tests, directive check and the Apache::Test suite
#   make run      httpd in the foreground on 127.0.0.1:$(PORT)
#   make install  the module and inforadm into this machine's httpd
#
# Every target that needs Debian packages installs the missing ones first
# (.ci/deps); as a non-root user it only says what is missing.

APXS    ?= apxs
PREFIX  ?= /usr/local
# make run takes PORT, INFOR_DATA_DIR, INFOR_ADMIN_PASSWORD, INFOR_DBDRIVER
# and INFOR_DBDPARAMS from the environment or the command line
# (conf/run.sh has their defaults).

WARN     = -Wall -Wextra -Werror
CSTD     = -std=gnu99
INCLUDES = -Iinclude
# Only evaluated after .ci/deps has installed the tools they call.
APR_CFLAGS   = $(shell apr-1-config --cflags --cppflags --includes) \
               $(shell apu-1-config --includes)
APR_LIBS     = $(shell apu-1-config --link-ld --libs) \
               $(shell apr-1-config --link-ld --libs)
XML_CFLAGS   = $(shell xml2-config --cflags)
XML_LIBS     = $(shell xml2-config --libs)
APREQ_CFLAGS = $(shell apreq2-config --includes)
APREQ_LIBS   = $(shell apreq2-config --link-ld)

# Pure APR code, shared by the module, inforadm and the unit tests.
CORE_SRC = mod_infor/store.c mod_infor/store_write.c mod_infor/store_user.c \
           mod_infor/store_session.c mod_infor/xml.c mod_infor/guid.c \
           mod_infor/password.c
OPS_SRC  = mod_infor/dispatch.c mod_infor/ops_table.c \
           mod_infor/ops_session.c mod_infor/ops_user.c \
           mod_infor/ops_admin.c mod_infor/ops_password.c mod_infor/mail.c \
           mod_infor/soap.c mod_infor/describe.c
HTTPD_SRC = mod_infor/mod_infor.c mod_infor/config.c \
            mod_infor/request.c mod_infor/respond.c mod_infor/http_decode.c
MOD_SRC  = $(HTTPD_SRC) $(OPS_SRC) $(CORE_SRC)
HEADERS  = $(wildcard include/*.h)

MODULE   = mod_infor/.libs/mod_infor.so
INFORADM = mod_infor/inforadm
UNIT_SRC = $(wildcard t/unit/*_test.c)
UNIT_BIN = $(UNIT_SRC:t/unit/%_test.c=t/unit/bin/%.t)

.PHONY: all deps test unit lint apache-test check-directives run install clean \
        valgrind bench bench-refresh

all: deps
	@$(MAKE) --no-print-directory $(MODULE) $(INFORADM)

deps:
	@.ci/deps

$(MODULE): $(MOD_SRC) $(HEADERS)
	$(APXS) -c -o mod_infor/mod_infor.la \
	    $(foreach f,$(WARN) $(CSTD),-Wc,$(f)) $(INCLUDES) \
	    $(APREQ_CFLAGS) $(XML_CFLAGS) \
	    $(MOD_SRC) $(APREQ_LIBS) $(XML_LIBS) 2>&1 \
	    | grep -v '^/usr/share/apr-1.0/build/libtool' || true
	@test -f $@

$(INFORADM): mod_infor/inforadm.c $(CORE_SRC) $(HEADERS)
	$(CC) $(WARN) $(CSTD) -O2 $(INCLUDES) $(APR_CFLAGS) -o $@ \
	    mod_infor/inforadm.c $(CORE_SRC) $(APR_LIBS)

t/unit/bin/%.t: t/unit/%_test.c t/unit/tap.h $(OPS_SRC) $(CORE_SRC) $(HEADERS)
	@mkdir -p t/unit/bin
	$(CC) $(WARN) $(CSTD) -g $(INCLUDES) $(APR_CFLAGS) $(XML_CFLAGS) -o $@ \
	    $< $(OPS_SRC) $(CORE_SRC) $(XML_LIBS) $(APR_LIBS)

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

apache-test: all
	perl t/TEST.PL -clean >/dev/null 2>&1 || true
	perl t/TEST.PL t/api

test: unit lint check-directives apache-test

# Not part of `make test`: slow (valgrind) or machine-dependent (figures).
valgrind: all
	t/valgrind.sh

# The calls against a static file, on SQLite and PostgreSQL, and the
# performance targets (t/bench/writes.sh lists its BENCH_* variables).
bench: all
	t/bench/writes.sh

bench-refresh: all
	t/bench/ticket_refresh.sh

run: all
	conf/run.sh

install: all
	$(APXS) -i -n infor $(MODULE)
	install -m 0755 $(INFORADM) $(DESTDIR)$(PREFIX)/bin/inforadm
	@echo "Now include conf/infor.conf from your httpd configuration;"
	@echo "see the README, 'Deploying into an existing httpd'."

clean:
	rm -rf mod_infor/.libs mod_infor/*.lo mod_infor/*.slo mod_infor/*.la \
	    mod_infor/*.o $(INFORADM) t/unit/bin
	-perl t/TEST.PL -clean >/dev/null 2>&1

# Lists, lookups and resets with many users generated into the store
# (t/bench/scale.sh lists its BENCH_* variables; BENCH_USERS=1000000).
bench-scale: all
	t/bench/scale.sh
