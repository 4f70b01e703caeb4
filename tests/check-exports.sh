#!/bin/sh
# check-exports.sh -- libuserapi.so exports exactly what include/userapi
# declares: every symbol it defines for others is named in a public
# header, and every function or variable a public header declares is
# exported.  Run by "make check" from the build directory; "srcdir" is
# the source tree (automake exports it).

srcdir=${srcdir:-.}
so=.libs/libuserapi.so
NM=${NM:-nm}

if [ ! -f "$so" ]; then
	echo "check-exports: $so not built" >&2
	exit 99
fi

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

# The public headers without their comments, so that a name that is
# only mentioned in prose does not count as declared.
awk '{
	out = ""; line = $0
	while (line != "") {
		if (incomment) {
			i = index(line, "*/")
			if (i == 0)
				break
			line = substr(line, i + 2); incomment = 0
		} else {
			i = index(line, "/*")
			if (i == 0) {
				out = out line
				break
			}
			out = out substr(line, 1, i - 1) " "
			line = substr(line, i + 2); incomment = 1
		}
	}
	print out
}' "$srcdir"/include/userapi/*.h >"$tmp/decl" || exit 99

# Every identifier of the headers, one a line.
tr -c 'A-Za-z0-9_' '\n' <"$tmp/decl" | grep -E '^ua_' | sort -u \
    >"$tmp/words" || exit 99

# What a header declares: "ua_x(" at the start of a prototype, or the
# last name of an "extern" line.
{
	grep -oE '(^|[ *])ua_[A-Za-z0-9_]+\(' "$tmp/decl" |
	    sed -e 's/^[ *]//' -e 's/($//'
	grep -E '^extern ' "$tmp/decl" |
	    sed -nE 's/.*[ *](ua_[A-Za-z0-9_]+)(\[[^]]*\])? *;.*/\1/p'
} | sort -u >"$tmp/declared"

"$NM" -D --defined-only "$so" | awk '{ print $NF }' | sort -u \
    >"$tmp/exported" || exit 99
if [ ! -s "$tmp/exported" ]; then
	echo "check-exports: $NM found no symbols in $so" >&2
	exit 99
fi

rc=0
for s in $(comm -23 "$tmp/exported" "$tmp/words"); do
	echo "check-exports: $so exports $s, which include/userapi does not declare"
	rc=1
done
for s in $(comm -13 "$tmp/exported" "$tmp/declared"); do
	echo "check-exports: include/userapi declares $s, which $so does not export"
	rc=1
done
[ $rc -eq 0 ] && echo "check-exports: $(wc -l <"$tmp/exported") symbols, all declared in include/userapi"
exit $rc
