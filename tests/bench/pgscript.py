"""pgbench scripts from kblog's own statements, with real parameters.

pgbench reads `:name` anywhere in an SQL command as a variable, even
inside a string literal, and in -M extended or prepared mode turns each
one into a bind parameter $n. So kblog's `to_char(..., 'HH24:MI:SS')`
becomes `'HH24$1$2'` (a literal, not a parameter) while pgbench still
binds values for `:MI` and `:SS`, and PostgreSQL refuses the statement
("bind message supplies 1 parameters, but prepared statement "" requires
0"). This module writes a script that keeps the statement as kblog sends
it:

  - every `$k` (outside literals) becomes a pgbench variable `:pI_k`,
    bound as a parameter, so -M prepared plans what kblog will prepare;
  - integers are set with `\\set pI_k 42` in the script, Expr values
    (e.g. Expr("random(1, 1000)")) with `\\set pI_k random(1, 1000)`,
    other values (text, booleans, numbers beyond int64) with
    `-D pI_k=value` on pgbench's command line (\\set has no strings);
  - a plain string literal holding `:` followed by a name character is
    rewritten as an escape string with the colon as `\\x3a`
    ('HH24:MI' -> E'HH24\\x3aMI'): the same constant for PostgreSQL,
    invisible to pgbench;
  - None (SQL NULL) cannot travel in a pgbench variable (a NULL
    variable is sent as the text 'NULL'): it is refused unless
    nulls="inline", which writes NULL into the statement; the statement
    is then not kblog's (a catch-all predicate folds away), and says so
    in a comment.

What it refuses (ValueError): comments, dollar quoting, `:name` outside
a literal (other than `::type` casts), a prefixed literal (E'', U&'',
B'', X'') that would need rewriting, a newline or `\\` outside a
literal, `;` outside a literal, and $k without a value.

    text, defines = script([(sql, [post_id, 0]), (sql2, ["tag"])])
    argv = pgbench_argv(PGBIN / "pgbench", path, defines, clients=8,
                        duration=10, port=port)

Run `python3 tests/bench/pgscript.py` for a self-check of the rewriting
(no database needed); tests/bench/test_pgscript.py runs the module's own
statements through pgbench -M prepared against PostgreSQL.
"""

import re

__all__ = ["Expr", "rewrite", "script", "pgbench_argv"]

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1

# What pgbench takes as a variable name after ':' (PostgreSQL 15,
# pgbench.c parseVariable): ASCII letters, digits, '_' and any byte with
# the high bit set.
_NAMECHAR = re.compile(r"[A-Za-z0-9_\x80-\U0010ffff]")


class Expr(str):
    """A pgbench expression for \\set, e.g. Expr("random(1, :n)")."""


def _literal_needs_rewrite(body):
    return any(body[i] == ":" and i + 1 < len(body) and
               _NAMECHAR.match(body[i + 1]) for i in range(len(body)))


def _escape_literal(body):
    """The body of a plain '...' literal (with '' for a quote) as an
    E'...' literal of the same value without ':'."""
    return "E'" + body.replace("\\", "\\\\").replace(":", "\\x3a") + "'"


def rewrite(sql, names=None, nulls=None):
    """Rewrites one statement for pgbench. names[k-1] is the variable
    for $k (None: keep $k, e.g. to compare plans); nulls: a set of k
    whose $k becomes NULL. Returns the new text."""
    out = []
    i, n = 0, len(sql)
    used = set()
    while i < n:
        c = sql[i]
        if c == "'":
            # A literal: '' is a quote inside it.
            j = i + 1
            while True:
                j = sql.find("'", j)
                if j == -1:
                    raise ValueError("unterminated string literal")
                if j + 1 < n and sql[j + 1] == "'":
                    j += 2
                    continue
                break
            body = sql[i + 1:j]
            if "\n" in body or "\r" in body:
                raise ValueError("newline inside a literal")
            prefixed = i > 0 and re.match(r"[A-Za-z0-9_&]", sql[i - 1])
            if _literal_needs_rewrite(body):
                if prefixed:
                    raise ValueError("a prefixed literal holds ':name'")
                out.append(_escape_literal(body))
            else:
                out.append(sql[i:j + 1])
            i = j + 1
        elif c == '"':
            j = sql.find('"', i + 1)
            if j == -1:
                raise ValueError("unterminated quoted identifier")
            if ":" in sql[i:j]:
                raise ValueError("':' in a quoted identifier")
            out.append(sql[i:j + 1])
            i = j + 1
        elif c == "$":
            m = re.match(r"\$(\d+)", sql[i:])
            if not m:
                raise ValueError("dollar quoting is not supported")
            k = int(m.group(1))
            if k == 0 or (names is not None and k > len(names)):
                raise ValueError(f"${k} has no value")
            used.add(k)
            if nulls and k in nulls:
                out.append("NULL")
            elif names is None:
                out.append(m.group(0))
            else:
                out.append(":" + names[k - 1])
            i += len(m.group(0))
        elif c == ":":
            if i + 1 < n and sql[i + 1] == ":":
                out.append("::")
                i += 2
            elif i + 1 < n and _NAMECHAR.match(sql[i + 1]):
                raise ValueError("':name' outside a literal")
            else:
                out.append(c)
                i += 1
        elif sql.startswith("--", i) or sql.startswith("/*", i):
            raise ValueError("comments are not supported")
        elif c in "\\;":
            raise ValueError(f"'{c}' outside a literal")
        elif c in "\r\n\t":
            out.append(" ")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def script(statements, nulls="refuse"):
    """statements: [(sql, [values])], one pgbench transaction of them in
    order. Returns (script text, {name: value} for -D)."""
    if nulls not in ("refuse", "inline"):
        raise ValueError("nulls: 'refuse' or 'inline'")
    lines, defines = [], {}
    for si, (sql, params) in enumerate(statements):
        names, null_ks = [], set()
        for k, value in enumerate(params, 1):
            name = f"p{si}_{k}"
            names.append(name)
            if value is None:
                if nulls == "refuse":
                    raise ValueError(
                        f"statement {si}: ${k} is NULL; pgbench cannot "
                        "bind NULL (split the statement, or "
                        "nulls='inline')")
                null_ks.add(k)
            elif isinstance(value, Expr):
                if "\n" in value:
                    raise ValueError("newline in an expression")
                lines.append(f"\\set {name} {value}")
            elif (isinstance(value, int) and not isinstance(value, bool)
                  and INT64_MIN <= value <= INT64_MAX):
                lines.append(f"\\set {name} {value}")
            else:
                if isinstance(value, bool):
                    value = "true" if value else "false"
                value = str(value)
                if "\0" in value:
                    raise ValueError("NUL in a value")
                defines[name] = value
        if null_ks:
            lines.append(f"-- NULL written in for "
                         f"{', '.join(f'${k}' for k in sorted(null_ks))}:"
                         " not the statement kblog prepares")
        lines.append(rewrite(sql, names, null_ks) + ";")
    return "\n".join(lines) + "\n", defines


def pgbench_argv(pgbench, path, defines, clients, duration=None,
                 transactions=None, host="127.0.0.1", port=5432,
                 user="kblog", dbname="kblog", threads=2, mode="prepared"):
    """pgbench's command line for a script from script(). mode is
    prepared (what the target compares with) or extended (an unnamed
    statement planned each time, what Kore 4.1 sends); -M simple pastes
    values into the text unquoted, so it is refused when there are
    -D values (text)."""
    if mode not in ("prepared", "extended", "simple") or (
            mode == "simple" and defines):
        raise ValueError(f"-M {mode} with text values")
    argv = [str(pgbench), "-n", "-M", mode, "-h", host, "-p", str(port),
            "-U", user, "-c", str(clients),
            "-j", str(max(1, min(threads, clients))), "-f", str(path)]
    if duration is not None:
        argv += ["-T", str(duration)]
    if transactions is not None:
        argv += ["-t", str(transactions)]
    for name, value in sorted(defines.items()):
        argv += ["-D", f"{name}={value}"]
    return argv + [dbname]


def _self_check():
    ts = ("to_char(c.created_at AT TIME ZONE 'UTC', "
          "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
    sql = (f"SELECT {ts}, $2::bigint, $10, $1 FROM t WHERE a = $1::bigint "
           "AND b = 'it''s: fine' AND c = ':x\\y'")
    got = rewrite(sql, [f"v{k}" for k in range(1, 11)])
    want = ("SELECT to_char(c.created_at AT TIME ZONE 'UTC', "
            "E'YYYY-MM-DD\"T\"HH24\\x3aMI\\x3aSS.US\"Z\"'), :v2::bigint, "
            ":v10, :v1 FROM t WHERE a = :v1::bigint "
            "AND b = 'it''s: fine' AND c = E'\\x3ax\\\\y'")
    assert got == want, got
    text, defs = script([("SELECT $1::bigint, $2, $3, $4", [
        7, "tag", True, Expr("random(1, 10)")])])
    assert text == ("\\set p0_1 7\n\\set p0_4 random(1, 10)\n"
                    "SELECT :p0_1::bigint, :p0_2, :p0_3, :p0_4;\n"), text
    assert defs == {"p0_2": "tag", "p0_3": "true"}, defs
    for bad in ("SELECT 1 -- x", "SELECT $$x$$", "SELECT :x",
                "SELECT 1; SELECT 2", "SELECT E'a:b'", "SELECT '"):
        try:
            rewrite(bad, [])
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad!r}")
    print("pgscript: self-check passed")


if __name__ == "__main__":
    _self_check()
