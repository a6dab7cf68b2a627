//! The block reader (the fast path of every YAML read) against the general
//! reader (saphyr): wherever the block reader reads a text, the trees are the
//! same, node for node (span, line, column, value, style); where the general
//! reader refuses a text, the block reader gives up on it. Over every text of
//! the corpus and testdata, damaged copies of them, and a table of the
//! constructs at the subset's edge. The `yaml` fuzz target checks the same
//! on arbitrary text.

mod common;

use std::path::Path;

use common::*;
use polyaxon_helm::stream;
use polyaxon_helm::yaml;

/// Whether the block reader read `text`; panics where the readers disagree.
fn agree(text: &str, label: &str) -> bool {
    let Some(block) = yaml::parse_all_block(text) else {
        return false;
    };
    match yaml::parse_all_general(text) {
        Ok(general) => assert!(general == block, "{label}: the readers differ on {text:?}\nblock {block:#?}\ngeneral {general:#?}"),
        Err(e) => panic!("{label}: the block reader reads a text the general reader refuses ({e:?}): {text:?}"),
    }
    true
}

/// Every YAML text under `dir`: values files whole, renders and captures as documents.
fn texts(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        if !matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        let label = path.display().to_string();
        if label.contains("/rendered/") || label.contains("/postrenderer/") {
            out.extend(stream::split(&text).iter().enumerate().map(|(i, d)| (format!("{label} document {}", i + 1), d.body.to_string())));
        } else {
            out.push((label, text));
        }
    }
}

#[test]
fn the_readers_agree_on_every_text_of_the_corpus_and_the_block_reader_reads_almost_all() {
    let mut all = Vec::new();
    texts(&corpus(), &mut all);
    texts(&repo().join("testdata"), &mut all);
    let (mut read, mut bytes_read, mut bytes) = (0, 0, 0);
    for (label, text) in &all {
        bytes += text.len();
        if agree(text, label) {
            read += 1;
            bytes_read += text.len();
        }
    }
    let share = bytes_read as f64 / bytes as f64;
    eprintln!("block reader: {read} of {} texts, {bytes_read} of {bytes} bytes ({:.1}%)", all.len(), share * 100.0);
    assert!(all.len() > 1500, "only {} texts found", all.len());
    // What it leaves to the general reader is rare (anchors, tags, multi-line
    // scalars, escapes beyond the common ones); a change that makes it give
    // up on common YAML would cost the post-renderer and the linter their speed.
    assert!(share > 0.98, "the block reader reads only {:.1}% of the corpus's bytes", share * 100.0);
}

#[test]
fn the_readers_agree_on_damaged_copies_of_real_texts() {
    let mut all = Vec::new();
    texts(&corpus().join("values/ci"), &mut all);
    texts(&corpus().join("rendered/v2.15.1"), &mut all);
    let (mut cases, mut read) = (0, 0);
    for (label, text) in all.iter().step_by(3) {
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        for (n, _) in lines.iter().enumerate().step_by(lines.len() / 12 + 1) {
            let edit = |f: &dyn Fn(&str) -> String| -> String {
                lines.iter().enumerate().map(|(i, l)| if i == n { f(l) } else { l.to_string() }).collect()
            };
            let variants = [
                edit(&|_| String::new()),                                                                   // a line dropped
                edit(&|l| format!(" {l}")),                                                                 // indented by one
                edit(&|l| l.strip_prefix("  ").unwrap_or(l).to_string()),                                   // outdented by two
                edit(&|l| format!("{l}{l}")),                                                               // doubled
                edit(&|l| format!("{}  # note\n", l.trim_end_matches('\n'))),                               // a comment after it
                edit(&|l| l.replacen(": ", ":", 1)),                                                        // a key run into its value
                edit(&|l| l.replacen("- ", "-", 1)),                                                        // an entry run into its item
                text[..lines[..n].iter().map(|l| l.len()).sum::<usize>() + lines[n].len() / 2].to_string(), // cut mid-line
            ];
            for v in &variants {
                cases += 1;
                read += agree(v, &format!("{label}, line {} damaged", n + 1)) as usize;
            }
        }
    }
    eprintln!("damaged copies: {cases}, read by the block reader {read}");
    assert!(cases > 1000 && read > cases / 4, "{cases} cases, {read} read");
}

/// Texts at the edge of the subset, and whether the block reader must read them.
const EDGES: &[(&str, bool)] = &[
    ("a: 1\nb:\nc: x # c\n", true),
    ("a:   \nb: # only a comment\n", true),
    ("k:\n- a\n-\n-   \n- k: v\n  k2:\n", true),
    ("k:\n  - a\n  - b: 1\n    c:\n    - x\n", true),
    ("-\n  x: 1\n- - nested\n", false),
    ("a: |-\n  x\n   y\n\n\nb: >\n  f\n  g\n\n  h\nc: |+\n  p\n\n", true),
    ("a: |\n  x\n# a comment ends it\nb: 1\n", true),
    ("a: |\n  x\n  ", false),
    ("a: |\n\n  x\n", false),
    ("a: |2\n   x\n", false),
    ("a: >\n  x\n    more\n", false),
    ("\"q k\": 'it''s'\n'b': \"x\\\"y\\n\"\n", true),
    ("a: \"\\x41\"\n", false),
    ("verbs: [ \"get\", list ]\nsel: { a: b, \"c\": [] }\nnone: []\n", true),
    ("a: [x, ]\n", false),
    ("a: [x\n  , y]\n", false),
    ("a: &x 1\nb: *x\n", false),
    ("<<: {a: 1}\n", false),
    ("a: !!str 1\n", false),
    ("a: b\n  c\n", false),
    ("a:\n  b\n", false),
    ("a: 1\n---\nb: 2\n", false),
    ("---\na: 1\n", true),
    ("---\n---\na: 1\n", false),
    ("a:\tb\n", false),
    ("a: b\r\n", false),
    ("a: ü\nü: 1\n", true),
    ("a: x: y\n", false),
    ("? a\n: b\n", false),
    ("a: 1\n  b: 2\n", false),
    ("  a: 1\n  b: 2\n", true),
    ("# only a comment\n", true),
    ("", true),
];

#[test]
fn the_readers_agree_at_the_edge_of_the_subset() {
    for (text, must_read) in EDGES {
        let read = agree(text, "edge case");
        assert_eq!(read, *must_read, "block reader on {text:?}");
    }
}
