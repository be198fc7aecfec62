//! The cost order of the built-in tiers: the one place that says which tier is cheaper, so a
//! tier comparison can name the cheapest tier that fits. Knows names only, never limits.
//!
//! Order, cheapest first: free < essentials < professional < enterprise < private-cloud-100 <
//! private-cloud-500 < private-cloud-1500. Essentials and professional share their published
//! limits; professional costs more. `enterprise-nonprod` is listed after enterprise for display
//! but is **not a production choice**: it is compared like any tier, never named the cheapest.

/// Every built-in tier in display order, with whether it can be bought for production traffic.
const TIERS: &[(&str, bool)] = &[
    ("free", true),
    ("essentials", true),
    ("professional", true),
    ("enterprise", true),
    ("enterprise-nonprod", false),
    ("private-cloud-100", true),
    ("private-cloud-500", true),
    ("private-cloud-1500", true),
];

/// Position in the cost order (display order); unknown names sort last.
pub fn rank(tier: &str) -> usize {
    TIERS
        .iter()
        .position(|(name, _)| *name == tier)
        .unwrap_or(TIERS.len())
}

/// True for tiers that may be named "the cheapest tier that fits" (not `enterprise-nonprod`,
/// not unknown names).
pub fn is_production(tier: &str) -> bool {
    TIERS.iter().any(|(name, prod)| *name == tier && *prod)
}

/// Every name the order knows, in order.
pub fn names() -> impl Iterator<Item = &'static str> {
    TIERS.iter().map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_covers_every_builtin_tier() {
        let ordered: Vec<&str> = names().collect();
        let mut builtin = crate::sim::tier::builtin_names().to_vec();
        let mut sorted = ordered.clone();
        builtin.sort_unstable();
        sorted.sort_unstable();
        assert_eq!(sorted, builtin);
    }

    #[test]
    fn ranks() {
        assert!(rank("free") < rank("essentials"));
        assert!(rank("essentials") < rank("professional"));
        assert!(rank("professional") < rank("enterprise"));
        assert!(rank("enterprise") < rank("private-cloud-100"));
        assert!(rank("private-cloud-500") < rank("private-cloud-1500"));
        assert_eq!(rank("custom"), 8);
        assert!(is_production("enterprise"));
        assert!(!is_production("enterprise-nonprod"));
        assert!(!is_production("custom"));
    }
}
