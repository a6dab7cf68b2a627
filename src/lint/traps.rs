//! Version traps: settings a particular chart version accepts but mishandles.

use super::rules::*;
use super::{At, Diagnostic, RuleContext};
use crate::knowledge::catalog::{newest_with_default, Catalog, DefaultValue, Range};
use crate::knowledge::parse_version;
use crate::yaml::Node;

pub fn check(ctx: &mut RuleContext<'_>, doc: &Node) {
    dns_prefix(ctx, doc);
    // The image settings the target chart reads: a few dozen of the
    // catalog's keys, looked for where they are, not in every mapping.
    let target = ctx.target;
    let all = ctx.catalog.image_keys();
    let mut keys: Vec<ImageKey> = Vec::with_capacity(all.len());
    keys.extend(all.iter().filter_map(|&(key, ranges)| Some((key, ranges, Catalog::in_ranges(ranges, target)?))));
    // The chart's own version, which most components' tags default to: parsed once.
    let made = parse_version(ctx.catalog.version(target));
    images(ctx, doc, &keys, 0, made);
}

/// An image key of the catalog: its path, its ranges, and the one of the target version.
type ImageKey = (&'static str, &'static [Range], &'static Range);

/// Every `imageTag` of a Polyaxon component (one the target chart reads)
/// of another major version than the chart's own default there, and
/// every `image` left at an older chart's default name (the v1 gateway's
/// polyaxon/polyaxon-gateway, where the v2 gateway runs polyaxon/polyaxon-api).
/// `keys` (sorted) are the image keys the chart reads below `node`, each
/// with `node`'s dotted path, names joined as written, in its first `from` bytes;
/// `made` is the chart's version, parsed.
fn images(ctx: &mut RuleContext<'_>, node: &Node, keys: &[ImageKey], from: usize, made: Option<(u64, u64, u64)>) {
    let version = ctx.catalog.version(ctx.target);
    // Only Polyaxon's own images: subcharts' and helpers' images have versions of their own.
    let polyaxon = |image: &str| image.starts_with("polyaxon/");
    let rest = |k: &ImageKey| &k.0.as_bytes()[from..];
    // The keys' next two bytes, one bit each: most names have no key to search for.
    let mut starts = 0u128;
    for key in keys {
        starts |= 1 << two_bytes(rest(key));
    }
    for (key, value) in node.entries().unwrap_or_default() {
        let Some(name) = key.text() else { continue };
        let name_bytes = name.as_bytes();
        if name_bytes.len() >= 2 && starts & (1 << two_bytes(name_bytes)) == 0 {
            continue;
        }
        // The keys that go through this entry: their rest starts with its name (one run).
        let first = keys.partition_point(|k| rest(k) < name_bytes);
        let run = &keys[first..first + keys[first..].iter().take_while(|k| rest(k).starts_with(name_bytes)).count()];
        if run.is_empty() {
            continue;
        }
        if value.is_map() {
            // Those below it: the name and a dot (one run within the run).
            let below = |k: &ImageKey| rest(k).get(name.len()) == Some(&b'.');
            let lo = run.iter().position(below).unwrap_or(run.len());
            let hi = lo + run[lo..].iter().take_while(|k| below(k)).count();
            if lo < hi {
                images(ctx, value, &run[lo..hi], from + name.len() + 1, made);
            }
            continue;
        }
        let (path, ranges, range) = run[0];
        if path.len() != from + name.len() || !matches!(name, "imageTag" | "image") {
            continue;
        }
        let Some(text) = value.text() else { continue };
        let lag = match name {
            "imageTag" => {
                // The chart's own default there: its version (a Polyaxon component), or
                // a tag of its own, judged only on a Polyaxon image (a few lag behind).
                let (own, made) = match range.3 {
                    DefaultValue::ChartVersion => (version, made),
                    DefaultValue::Str(own)
                        if ctx
                            .catalog
                            .default(&format!("{}.image", &path[..from.saturating_sub(1)]), ctx.target)
                            .as_str()
                            .is_some_and(polyaxon) =>
                    {
                        (own, parse_version(own))
                    }
                    _ => continue,
                };
                match (parse_version(text), made) {
                    (Some(pinned), Some(made)) if pinned.0 != made.0 => ImageLag::Tag { own },
                    _ => continue,
                }
            }
            "image" => match (range.3, newest_with_default(ranges, text)) {
                (DefaultValue::Str(now), Some(then)) if now != text && polyaxon(now) && polyaxon(text) => {
                    ImageLag::Name { of: ctx.catalog.version(then), now }
                }
                _ => continue,
            },
            _ => continue,
        };
        let at = (path.to_string(), ctx.span(key, value));
        ctx.push(image_of_another_major(at, text, version, lag));
    }
}

/// Charts 0.4.3 to 1.12.2 render POLYAXON_DNS_PREFIX only when
/// `dns.POLYAXON_DNS_PREFIX` is truthy; those are exactly the versions whose
/// templates read that key.
fn dns_prefix(ctx: &mut RuleContext<'_>, doc: &Node) {
    if ctx.catalog.at("dns.POLYAXON_DNS_PREFIX", ctx.target).is_none() {
        return;
    }
    let Some(dns) = doc.get("dns") else { return };
    let Some((key, value)) = dns.entry("prefix") else {
        return;
    };
    let guard = dns.get("POLYAXON_DNS_PREFIX").is_some_and(|g| !g.is_null() && g.text() != Some("false"));
    if value.is_null() || guard {
        return;
    }
    ctx.push(dns_prefix_dropped(("dns.prefix".into(), ctx.span(key, value)), ctx.version()));
}

/// How an image setting lags behind the chart (V002).
enum ImageLag<'a> {
    /// A tag of another major version than `own`, the chart's own there.
    Tag { own: &'a str },
    /// An image of chart version `of`'s default name; the chart runs `now`.
    Name { of: &'a str, now: &'a str },
}

/// V002: the setting at `at` holds `text`, on chart `version`.
fn image_of_another_major(at: At, text: &str, version: &str, lag: ImageLag<'_>) -> Diagnostic {
    let path = &at.0;
    let (message, help) = match lag {
        // Concatenated, not formatted: a chart's defaults pin a thousand of these.
        ImageLag::Tag { own } => (
            ["`", path, "` pins ", text, " on chart ", version, ", whose templates are made for ", own, " there"].concat(),
            ["delete it to run the chart's own version, or pin a tag of the same major version as ", own].concat(),
        ),
        ImageLag::Name { of, now } => {
            (format!("`{path}` is {text}, the image of chart {of}; chart {version} runs {now} there"), format!("delete it, or set {now}"))
        }
    };
    Diagnostic::new(IMAGE_OF_ANOTHER_MAJOR, at, message).with_help(help)
}

/// One of 128 classes of the first two bytes of a name (or of a key's rest,
/// which a name is the start of): a name of fewer bytes has no class.
fn two_bytes(b: &[u8]) -> u32 {
    match b {
        [first, second, ..] => (u32::from(*first) * 31 + u32::from(*second)) & 127,
        _ => 0,
    }
}

/// V001.
fn dns_prefix_dropped(at: At, version: &str) -> Diagnostic {
    let message = format!("chart {version} drops `dns.prefix`: its templates test dns.POLYAXON_DNS_PREFIX instead");
    Diagnostic::new(DNS_PREFIX_DROPPED, at, message)
        .with_help("render through polyaxon-pr (its DNS transform puts the prefix back), or upgrade to chart 1.13.0 or later")
}

#[cfg(test)]
mod tests {
    use super::super::lint_text;
    use crate::knowledge::catalog::Catalog;

    #[test]
    fn image_tags_of_another_major_only_on_polyaxon_components() {
        let text = r#"gateway:
  image: polyaxon/polyaxon-gateway
  imageTag: 1.20.0
scheduler:
  imageTag: v2.14.0
operator:
  imageTag: latest
postgresql:
  image:
    tag: 11.7.0
"#;
        let d = lint_text(text, Catalog::get().resolve("2.15.1").unwrap()).unwrap();
        let found: Vec<_> = d.iter().filter(|d| d.code == "V002").map(|d| (d.key.as_str(), d.span.line, d.span.col)).collect();
        assert_eq!(found, [("gateway.image", 2, 3), ("gateway.imageTag", 3, 3)]);
        // Subcharts' images have versions of their own.
        let theirs = "postgresql:\n  imageTag: 10.4.0\nrabbitmq:\n  image: rabbitmq:3.7.4-management\n";
        let d = lint_text(theirs, Catalog::get().resolve("0.4.4").unwrap()).unwrap();
        assert!(!d.iter().any(|d| d.code == "V002"), "{d:?}");
        // The same pin on its own major is a choice, not a trap.
        let d = lint_text(text, Catalog::get().resolve("1.20.0").unwrap()).unwrap();
        let found: Vec<_> = d.iter().filter(|d| d.code == "V002").map(|d| d.key.as_str()).collect();
        assert_eq!(found, ["scheduler.imageTag"]);
    }

    #[test]
    fn dns_prefix_on_the_affected_versions_only() {
        let text = "dns:\n  backend: coredns\n  prefix: coredns.kube-system\n";
        for (version, warned) in
            [("0.4.2", false), ("0.4.3", true), ("1.10.1", true), ("1.12.2", true), ("1.13.0", false), ("2.15.1", false)]
        {
            let d = lint_text(text, Catalog::get().resolve(version).unwrap()).unwrap();
            let codes: Vec<_> = d.iter().filter(|d| d.code == "V001").map(|d| (d.code.as_str(), d.span.line)).collect();
            let expected: &[(&str, usize)] = if warned { &[("V001", 3)] } else { &[] };
            assert_eq!(codes, expected, "chart {version}");
        }
    }
}
