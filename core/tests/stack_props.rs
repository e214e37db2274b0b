//! Property tests of coverage stacks (docs/stacks.md), through the public `testing::stack`
//! strategies and checks: adding a layer never removes coverage another layer gives; a repair
//! never shortens any layer; the answer does not depend on the order events are recorded in;
//! the ends `expiring` reads are the timelines `stack_coverage` reads.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a failed unwrap, index or panic is the test failing"
)]

use proptest::prelude::*;
use warranty_core::testing::stack::*;

fn cfg() -> ProptestConfig {
    ProptestConfig {
        cases: 1000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cfg())]

    #[test]
    fn adding_a_layer_never_removes_coverage(
        item in arb_stack_item(), extra in arb_layer(0), (at, reason, component) in arb_failure(),
    ) {
        check_adding_a_layer_keeps_coverage(&item, &extra, at, reason.as_deref(), component.as_deref())
            .map_err(TestCaseError::fail)?;
    }

    #[test]
    fn a_repair_never_shortens_a_layer(item in arb_stack_item(), repair in arb_event(5)) {
        let mut repair = repair;
        if repair.under.as_ref().is_some_and(|u| !item.warranties.iter().any(|l| &l.id == u)) {
            repair.under = None;
        }
        check_a_repair_never_shortens(&item, &repair).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn expiry_reads_the_same_ends_as_coverage(item in arb_stack_item()) {
        check_ends_match_timelines(&item).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn event_order_does_not_matter(
        item in arb_stack_item(), rotation in 0usize..16, (at, reason, component) in arb_failure(),
    ) {
        check_event_order_irrelevant(&item, rotation, at, reason.as_deref(), component.as_deref())
            .map_err(TestCaseError::fail)?;
    }
}

/// The order check compares whole answers: an event that matters (an earlier sale) changes
/// them, so a reordering that mattered would be reported.
#[test]
fn answers_are_sensitive_to_events() {
    use proptest::strategy::ValueTree;
    use warranty_core::warranty::stack::{Event, EventKind};
    use warranty_core::Instant;
    let at = Instant::parse("2027-01-10T10:00:00Z").unwrap();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let item = arb_stack_item().new_tree(&mut runner).unwrap().current();
    let mut moved = item.clone();
    moved.events.push(Event::at(
        EventKind::Sold,
        Instant::parse("2021-06-01T10:00:00Z").unwrap(),
    ));
    let a = serde_json::to_string(&stack_answer(&item, at)).unwrap();
    let b = serde_json::to_string(&stack_answer(&moved, at)).unwrap();
    assert_ne!(a, b, "an earlier sale must change the answer");
}

fn stack_answer(
    item: &warranty_core::warranty::stack::StackItem,
    at: warranty_core::Instant,
) -> warranty_core::warranty::stack::StackAnswer {
    use warranty_core::warranty::stack::{stack_coverage, Failure, Presets, Stack};
    let s = Stack::new(
        item,
        Presets::new(&[]),
        warranty_core::Calendar::Fixed(at.offset()),
    )
    .unwrap();
    stack_coverage(
        &s,
        &Failure {
            at,
            reason: None,
            component: None,
            usage: None,
        },
    )
    .unwrap()
}
