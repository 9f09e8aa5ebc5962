#!/bin/sh
# Every error-log call of the module carries a tag of its own,
# INFORLOGNO(nnnn), used once; every tag is in the README's "Error log"
# table.
set -eu
cd "$(dirname "$0")/.."
exec perl -e '
    my ($status, %seen) = (0);
    for my $f (glob "mod_infor/*.c") {
        open my $fh, "<", $f or die "$f: $!";
        my $src = do { local $/; <$fh> };
        while ($src =~ /\b(ap_log_\w*error)\s*\((.*?)\);/sg) {
            my ($fn, $args) = ($1, $2);
            my $line = 1 + (() = substr($src, 0, $-[0]) =~ /\n/g);
            if ($args !~ /INFORLOGNO\((\d{4})\)/) {
                print STDERR "$f:$line: $fn without INFORLOGNO\n";
                $status = 1;
                next;
            }
            if ($seen{$1}) {
                print STDERR "$f:$line: INFOR$1 also used at $seen{$1}\n";
                $status = 1;
            }
            $seen{$1} = "$f:$line";
        }
    }
    open my $rd, "<", "README" or die "README: $!";
    my $readme = do { local $/; <$rd> };
    for my $n (sort keys %seen) {
        next if $readme =~ /^\| `INFOR$n` \|/m;
        print STDERR "README: no line for INFOR$n ($seen{$n})\n";
        $status = 1;
    }
    printf "check_logtags: %d tagged log calls\n", scalar keys %seen;
    exit $status;
'
