//! `stream::split` on arbitrary text.
//!
//! Properties:
//! - separator + body of every document, concatenated, is the input byte for byte;
//! - only the first document may lack a separator, and no document is empty;
//! - the document count is sane: at most one more than the number of `---` lines;
//! - splitting is maximal and stable: one document's text splits into itself;
//! - `line_at` a body's offset is the 1-based line on which the body starts;
//! - `kind`, `source` and `is_blank` never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polyaxon_helm::stream;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    check(&input);
});

fn check(input: &str) {
    let docs = stream::split(input);

    let rejoined: String = docs.iter().map(|d| format!("{}{}", d.separator, d.body)).collect();
    assert_eq!(rejoined, input, "separator + body of every document must give back the input");

    let marker_lines = input.split('\n').filter(|l| l.starts_with("---")).count();
    assert!(docs.len() <= marker_lines + 1, "{} documents from {marker_lines} `---` lines", docs.len());
    if input.is_empty() {
        assert!(docs.is_empty(), "empty input gives no documents");
    }

    let mut offset = 0;
    for (i, doc) in docs.iter().enumerate() {
        assert!(!(doc.separator.is_empty() && doc.body.is_empty()), "document {} is empty", i + 1);
        if i > 0 {
            assert!(doc.separator.starts_with("---"), "document {} has separator {:?}", i + 1, doc.separator);
        }
        if !doc.separator.is_empty() {
            assert!(offset == 0 || input.as_bytes()[offset - 1] == b'\n', "separator of document {} not at a line start", i + 1);
        }
        let body_offset = offset + doc.separator.len();
        if !doc.body.is_empty() {
            let line = input[..body_offset].matches('\n').count() + 1;
            assert_eq!(stream::line_at(input, body_offset), line, "line of document {} (body at byte {body_offset})", i + 1);
        }
        // A document's own text is one document: no separator hides in a body.
        let own = &input[offset..body_offset + doc.body.len()];
        let again = stream::split(own);
        assert_eq!(again.len(), 1, "document {} re-splits into {} documents: {own:?}", i + 1, again.len());
        assert_eq!((again[0].separator, again[0].body), (doc.separator, doc.body));
        offset = body_offset + doc.body.len();

        let _ = doc.kind();
        let _ = doc.source();
        let _ = doc.is_blank();
    }
    assert_eq!(offset, input.len());
}
