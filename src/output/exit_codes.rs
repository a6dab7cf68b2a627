//! Every command's exit codes, in one table: `polyaxon-pr --help` prints
//! it, the README shows it, and tests/cli.rs holds both to it and each row
//! to the binary.

/// One command's codes: what 0, 1 and 2 mean.
pub struct ExitCodes {
    pub command: &'static str,
    pub codes: [&'static str; 3],
}

pub const EXIT_CODES: &[ExitCodes] = &[
    ExitCodes {
        command: "post-render (no command)",
        codes: [
            "the manifests are on stdout (also with no values, or no input)",
            "an error: bad values, a manifest it cannot edit safely; nothing on stdout (as Helm 4's plugin it exits 0 and writes the error for Helm to show)",
            "usage error",
        ],
    },
    ExitCodes {
        command: "template, install, upgrade",
        codes: ["Helm's exit code", "Helm's exit code, or the wrapper refused its arguments", "Helm's exit code, or a usage error"],
    },
    ExitCodes { command: "values", codes: ["the merged values are on stdout", "the values cannot be read", "usage error"] },
    ExitCodes {
        command: "lint",
        codes: [
            "nothing at the failing level (error; --deny warnings: warning)",
            "a finding at the failing level",
            "usage error, unreadable file, unknown chart version, YAML that does not parse",
        ],
    },
    ExitCodes {
        command: "migrate",
        codes: [
            "nothing left to do",
            "changes pending (not written), or unsafe fixes left out",
            "usage error, unreadable file, unknown chart version, a named file it cannot migrate",
        ],
    },
    ExitCodes { command: "explain", codes: ["the explanation is on stdout", "–", "unknown rule"] },
    ExitCodes { command: "schema", codes: ["the schema is on stdout", "stdout cannot be written", "usage error, unknown chart version"] },
    ExitCodes { command: "path, completions", codes: ["printed on stdout", "stdout cannot be written", "usage error"] },
];

/// The table as `--help` prints it.
pub fn help_text() -> String {
    let mut out = String::from("Exit codes:\n");
    for row in EXIT_CODES {
        out.push_str(&format!("  {}:\n", row.command));
        for (code, meaning) in row.codes.iter().enumerate().filter(|(_, m)| **m != "–") {
            out.push_str(&format!("    {code}  {meaning}\n"));
        }
    }
    out.trim_end().to_string()
}

/// The table as the README shows it (Markdown).
pub fn markdown() -> String {
    let mut out = String::from("| command | 0 | 1 | 2 |\n|---|---|---|---|\n");
    for row in EXIT_CODES {
        out.push_str(&format!("| {} | {} | {} | {} |\n", row.command, row.codes[0], row.codes[1], row.codes[2]));
    }
    out
}
