//! The setter layer (`src/edit.rs`) on its own, table-driven: each case
//! gives a document, what is asked of the editor, and exactly the text that
//! must come out (or the located refusal). Everything not asked for stays
//! byte for byte: comments, quoting, flow style, CRLF line ends.

use polyaxon_helm::edit::{Editor, Element, Fragment, MapRef, Matched, NodeError};
use polyaxon_helm::yaml::{parse_one, Node};

type Edit = for<'n> fn(&'n Node, &mut Editor<'n>) -> Result<(), NodeError>;

struct Case {
    name: &'static str,
    input: &'static str,
    edit: Edit,
    /// The edited text, or the start of the refusal (`line:col: message`).
    want: Result<&'static str, &'static str>,
}

fn named<'a>(name: &'a str) -> Box<dyn Fn(&Node) -> bool + 'a> {
    Box::new(move |e: &Node| e.get("name").and_then(Node::text) == Some(name))
}

fn env(name: &str, value: &str) -> Fragment {
    Fragment::map([("name", Fragment::str(name)), ("value", Fragment::quoted(value))])
}

/// `env` entries by name: `A` must be "1" (rewritten where stale), `B` kept as found.
fn upsert_env<'n>(doc: &'n Node, editor: &mut Editor<'n>) -> Result<(), NodeError> {
    let stale = |e: &Node| e.get("value").and_then(Node::text) != Some("1");
    let elements = [
        Element { matches: named("A"), item: env("A", "1"), matched: Matched::Replace(Box::new(stale)) },
        Element { matches: named("B"), item: env("B", "2"), matched: Matched::Keep },
    ];
    editor.ensure_elements(doc, "env", "env", &elements).map(|_| ())
}

/// `a`'s value, a block mapping, becomes the flow scalar `x`.
fn flatten_a<'n>(doc: &'n Node, editor: &mut Editor<'n>) -> Result<(), NodeError> {
    let (key, value) = doc.entries().unwrap_or_default().iter().find(|(k, _)| k.text() == Some("a")).expect("a key `a`");
    editor.replace_value(key, value, Fragment::str("x"))
}

const CASES: &[Case] = &[
    Case {
        name: "a missing list is created with the entries",
        input: "name: c\n",
        edit: upsert_env,
        want: Ok("name: c\nenv:\n- name: A\n  value: \"1\"\n- name: B\n  value: \"2\"\n"),
    },
    Case {
        name: "a stale entry is rewritten in place, a kept one untouched, comments stay",
        input: "env:\n  # first\n  - name: A\n    value: \"0\"\n  - name: B # ours\n    value: other\n",
        edit: upsert_env,
        want: Ok("env:\n  # first\n  - name: A\n    value: \"1\"\n  - name: B # ours\n    value: other\n"),
    },
    Case {
        name: "every duplicate of a replaced entry is rewritten, an up-to-date one is not touched",
        input: "env:\n- {name: A, value: '1'}\n- name: A\n  value: x\n- name: B\n  value: y\n",
        edit: upsert_env,
        want: Ok("env:\n- {name: A, value: '1'}\n- name: A\n  value: \"1\"\n- name: B\n  value: y\n"),
    },
    Case {
        name: "a stale entry whose last value is empty is rewritten whole (its key's colon too)",
        input: "env:\n- name: A\n  value:\nkind: Job\n",
        edit: upsert_env,
        want: Ok("env:\n- name: A\n  value: \"1\"\n- name: B\n  value: \"2\"\nkind: Job\n"),
    },
    Case {
        name: "a block value whose last value is empty becomes a flow value whole (its key's colon too)",
        input: "a:\n  b: 1\n  c:\nd: 2\n",
        edit: flatten_a,
        want: Ok("a: x\nd: 2\n"),
    },
    Case {
        name: "a flow list gets flow entries",
        input: "env: [{name: B, value: y}]\n",
        edit: upsert_env,
        want: Ok("env: [{name: B, value: y}, {name: A, value: \"1\"}]\n"),
    },
    Case {
        name: "a null list becomes one (flow: nothing below the key to indent by)",
        input: "env:\nname: c\n",
        edit: upsert_env,
        want: Ok("env: [{name: A, value: \"1\"}, {name: B, value: \"2\"}]\nname: c\n"),
    },
    Case {
        name: "CRLF line ends are kept",
        input: "name: c\r\nenv:\r\n- name: B\r\n  value: y\r\n",
        edit: upsert_env,
        want: Ok("name: c\r\nenv:\r\n- name: B\r\n  value: y\r\n- name: A\r\n  value: \"1\"\r\n"),
    },
    Case {
        name: "a list that is not one is refused at its node",
        input: "name: c\nenv: {A: 1}\n",
        edit: upsert_env,
        want: Err("2:6: env must be a list, found a mapping"),
    },
    Case {
        name: "an anchored list is refused: its aliases would change too",
        input: "env: &e\n- name: B\n  value: y\n",
        edit: upsert_env,
        want: Err("2:3: this node is an anchor (&name)"),
    },
    Case {
        name: "ensure_map and set_scalar: a nested mapping created, a scalar replaced in place",
        input: "spec: # keep\n  replicas: 1\n",
        edit: |doc, editor| {
            let spec = editor.ensure_map(MapRef::Node(doc), "spec", "spec")?;
            editor.set_scalar(spec, "replicas", Fragment::int(2))?;
            let sc = editor.ensure_map(spec, "securityContext", "spec.securityContext")?;
            editor.set_scalar(sc, "runAsNonRoot", Fragment::bool(true))
        },
        want: Ok("spec: # keep\n  replicas: 2\n  securityContext:\n    runAsNonRoot: true\n"),
    },
    Case {
        name: "add refuses a key that is there",
        input: "a: 1\n",
        edit: |doc, editor| editor.add(MapRef::Node(doc), "a", Fragment::int(2)),
        want: Err("1:4: `a` is already set here"),
    },
    Case {
        name: "rename_key keeps the value and the comment",
        input: "user: 1000 # uid\n",
        edit: |doc, editor| editor.rename_key(&doc.entries().unwrap()[0].0, "runAsUser"),
        want: Ok("runAsUser: 1000 # uid\n"),
    },
    Case {
        name: "comment_out keeps every line under a note",
        input: "api:\n  replicas: 2\nother: 1\n",
        edit: |doc, editor| editor.comment_out(doc, "api", "moved"),
        want: Ok("# moved\n# api:\n#   replicas: 2\nother: 1\n"),
    },
];

#[test]
fn every_case_edits_exactly_what_it_states() {
    let mut failed = Vec::new();
    for case in CASES {
        let root = parse_one(case.input).unwrap().unwrap();
        let mut editor = Editor::new(case.input);
        let got = (case.edit)(&root, &mut editor).and_then(|()| editor.finish());
        match (&got, case.want) {
            (Ok(text), Ok(want)) if text == want => {}
            (Err(e), Err(want)) if format!("{}:{}: {}", e.line, e.col, e.message).starts_with(want) => {}
            _ => failed.push(format!("{}: got {got:?}, want {:?}", case.name, case.want)),
        }
        // What comes out parses, and editing it again the same way changes nothing.
        if let Ok(text) = got {
            let again = parse_one(&text).unwrap().unwrap();
            let mut editor = Editor::new(&text);
            if (case.edit)(&again, &mut editor).is_ok() && case.name.contains("list") {
                assert_eq!(editor.finish().unwrap(), text, "{}: not idempotent", case.name);
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
