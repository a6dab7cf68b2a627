//! The block reader (`yaml::parse_all_block`, the fast path) against the
//! general reader (saphyr, `yaml::parse_all_general`) on arbitrary text.
//!
//! Property: wherever the block reader reads a text, the general reader
//! reads it too, into the same trees (every node's span, line, column,
//! value and style). Where it gives up, nothing is asserted: the general
//! reader reads that text in both paths.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polyaxon_helm::yaml;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(block) = yaml::parse_all_block(&text) {
        match yaml::parse_all_general(&text) {
            Ok(general) => assert!(general == block, "the readers differ on {text:?}:\nblock {block:#?}\ngeneral {general:#?}"),
            Err(e) => panic!("the block reader reads {text:?}, the general reader refuses it: {e:?}"),
        }
    }
});
