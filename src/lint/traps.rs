//! Version traps: settings a particular chart version accepts but mishandles.

use super::rules::*;
use super::Ctx;
use crate::yaml::Node;

pub fn check(ctx: &mut Ctx<'_>, doc: &Node) {
    dns_prefix_dropped(ctx, doc);
}

/// Charts 0.4.3 to 1.12.2 render POLYAXON_DNS_PREFIX only when
/// `dns.POLYAXON_DNS_PREFIX` is truthy; those are exactly the versions whose
/// templates read that key.
fn dns_prefix_dropped(ctx: &mut Ctx<'_>, doc: &Node) {
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
    let span = ctx.span(key, value);
    let version = ctx.version().to_string();
    let d = ctx.report(
        DNS_PREFIX_DROPPED,
        "dns.prefix",
        span,
        format!("chart {version} drops `dns.prefix`: its templates test dns.POLYAXON_DNS_PREFIX instead"),
    );
    d.help = Some("render through polyaxon-pr (its DNS transform puts the prefix back), or upgrade to chart 1.13.0 or later".into());
}

#[cfg(test)]
mod tests {
    use super::super::lint_text;
    use crate::knowledge::catalog::Catalog;

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
