//! The operation table: every operation's name, request type and handler, once. From it come
//! the operation lists ([`OPERATIONS`], [`SYNC_OPERATIONS`]), the dispatcher's match (`run`)
//! and, under test, the request-type map of the error-path differential test
//! (`check_paths`). Adding an operation is one line here; every binding and the CLI then
//! answer it.
//!
//! A handler is one of:
//! - `answer f`: `f(request) -> Result<impl Serialize>`, a function of the request alone;
//! - `engine f`: `f(&mut Engine, request) -> Result<impl Serialize>`, it reads or changes
//!   the engine's catalogs or outboxes;
//! - `writes f`: `f(&mut Engine, request, out) -> Result<()>`, it writes its answer before
//!   the engine changes (or borrows the engine while it writes).

use super::parse::{parse, ser};
#[cfg(feature = "sync")]
use super::{outbox_ops as outbox, partner_ops as partner};
use super::{rules_ops as rules, stack_ops as stack, Engine};
use crate::error::Result;

macro_rules! handle {
    (answer, $h:expr, $engine:ident, $r:ident, $out:ident) => {
        ser($out, &$h($r)?)
    };
    (engine, $h:expr, $engine:ident, $r:ident, $out:ident) => {
        ser($out, &$h($engine, $r)?)
    };
    (writes, $h:expr, $engine:ident, $r:ident, $out:ident) => {
        $h($engine, $r, $out)
    };
}

macro_rules! operations {
    (
        rules: [$($rname:literal: $rreq:ty => $rkind:ident $rh:expr,)*],
        sync: [$($sname:literal: $sreq:ty => $skind:ident $sh:expr,)*] $(,)?
    ) => {
        /// Every operation this build's dispatcher knows, in documentation order.
        #[cfg(feature = "sync")]
        pub const OPERATIONS: &[&str] = &[$($rname,)* $($sname,)*];
        /// Every operation this build's dispatcher knows, in documentation order (a build
        /// without the `sync` feature: the rules only).
        #[cfg(not(feature = "sync"))]
        pub const OPERATIONS: &[&str] = &[$($rname,)*];
        /// The operations of the sync layer, known by name in every build: a build without
        /// the `sync` feature (the `warranty` npm module) answers them with an `UNKNOWN_OP`
        /// that names the module that has them.
        pub const SYNC_OPERATIONS: &[&str] = &[$($sname,)*];

        /// Answers `request` for the operation `op`, writing the result into `out`; `None`
        /// when this build has no operation of that name.
        pub(super) fn run(
            engine: &mut Engine,
            op: &str,
            request: &str,
            out: &mut Vec<u8>,
        ) -> Option<Result<()>> {
            Some(match op {
                $($rname => parse::<$rreq>(request)
                    .and_then(|r| handle!($rkind, $rh, engine, r, out)),)*
                $(#[cfg(feature = "sync")]
                $sname => parse::<$sreq>(request)
                    .and_then(|r| handle!($skind, $sh, engine, r, out)),)*
                _ => return None,
            })
        }

        /// The differential path test on `request` with the request type of `op` (the
        /// bare-`op` type for a name this build does not know).
        #[cfg(test)]
        pub(super) fn check_paths(op: &str, request: &str) -> std::result::Result<(), String> {
            use super::path_tests::same;
            match op {
                $($rname => same::<$rreq>(request),)*
                $(#[cfg(feature = "sync")]
                $sname => same::<$sreq>(request),)*
                _ => same::<super::parse::OpOnly>(request),
            }
        }
    };
}

operations! {
    rules: [
        "expiry": rules::ExpiryReq => answer rules::expiry,
        "coverage": rules::CoverageReq => answer rules::coverage,
        "replace": rules::ReplaceReq => answer rules::replace,
        "resolve": rules::ResolveReq => engine Engine::resolve,
        "plans": rules::PlansReq => answer rules::plans,
        "load_catalog": rules::LoadReq => engine Engine::load_catalog,
        "unload_catalog": rules::UnloadReq => engine Engine::unload_catalog,
        "list_catalogs": super::parse::OpOnly => engine Engine::list_catalogs,
        "version": super::parse::OpOnly => answer rules::version,
        "validate_claim": rules::ValidateClaimReq => answer rules::validate_claim,
        "transition_claim": rules::TransitionReq => answer rules::transition,
        "verify_audit": rules::VerifyAuditReq => answer rules::verify_audit,
        "apply_partner_status": rules::PartnerReq => answer rules::partner,
        "claims_report": rules::ReportReq => answer rules::claims_report,
        "stack_coverage": stack::StackReq => answer stack::stack_coverage,
        "expiring": stack::ExpiringReq => answer stack::expiring,
        "statutory_presets": stack::PresetsReq => answer stack::statutory_presets,
    ],
    sync: [
        "import_crm_com": partner::ImportReq => engine Engine::import_crm_com,
        "outbox_create": outbox::CreateReq => writes Engine::create,
        "outbox_enqueue": outbox::EnqueueReq => engine Engine::enqueue,
        "outbox_poll_transmit": outbox::NowReq => engine Engine::poll_transmit,
        "outbox_handle_response": outbox::ResponseReq => writes Engine::handle_response,
        "outbox_transport_error": outbox::TransportReq => writes Engine::transport_error,
        "outbox_replay": outbox::ReplayReq => writes Engine::replay,
        "outbox_poll_timeout": outbox::NameReq => engine Engine::poll_timeout,
        "outbox_poll_event": outbox::NameReq => engine Engine::poll_event,
        "outbox_snapshot": outbox::NameReq => engine Engine::snapshot,
        "outbox_restore": outbox::RestoreReq => writes Engine::restore,
        "outbox_report": outbox::NameReq => engine Engine::report,
        "outbox_prune": outbox::PruneReq => engine Engine::prune,
        "outbox_drop": outbox::NameReq => engine Engine::drop_outbox,
        "webhook_sign": outbox::SignReq => answer outbox::webhook_sign,
        "webhook_verify": outbox::VerifyReq => answer outbox::webhook_verify,
        "activate_sale": outbox::ActivateReq => engine Engine::activate,
        "claim_changed": outbox::ClaimChangedReq => engine Engine::claim_changed,
        "cnh_claim_body": partner::CnhBodyReq => answer partner::cnh_claim_body,
        "cnh_auth": partner::CnhAuthReq => answer partner::cnh_auth,
        "cnh_read_response": partner::PartnerAnswerReq => answer partner::cnh_read_response,
        "cnh_defect_failure_request": partner::DefectLookupReq
            => answer partner::cnh_defect_failure_request,
        "cnh_defect_failure_answer": partner::BodyReq => answer partner::cnh_defect_failure_answer,
        "cnh_attachment_request": partner::AttachmentReq => answer partner::cnh_attachment_request,
        "cnh_attachment_answer": partner::UploadAnswerReq => answer partner::cnh_attachment_answer,
        "cnh_mps_tc_request": partner::MpsTcReq => answer partner::cnh_mps_tc_request,
        "cnh_document_answer": partner::DocumentAnswerReq => answer partner::cnh_document_answer,
        "cnh_smart_alert_answer": partner::BodyAtReq => answer partner::cnh_smart_alert_answer,
        "cnh_ez_labor_answer": partner::BodyReq => answer partner::cnh_ez_labor_answer,
        "cnh_pip_answer": partner::BodyReq => answer partner::cnh_pip_answer,
        "cnh_invoice_request": partner::InvoiceReq => answer partner::cnh_invoice_request,
        "cnh_invoice_answer": partner::BodyReq => answer partner::cnh_invoice_answer,
        "cnh_invoice_reconcile": partner::ReconcileReq => answer partner::cnh_invoice_reconcile,
        "product_code_registration": partner::RegistrationReq
            => answer partner::product_code_registration,
        "warranty_life_plans": partner::WlPlansReq => answer partner::warranty_life_plans,
        "warranty_life_request": partner::WlRequestReq => answer partner::warranty_life_request,
        "warranty_life_auth": partner::WlAuthReq => answer partner::warranty_life_auth,
        "warranty_life_page": partner::WlPageReq => answer partner::warranty_life_page,
        "warranty_life_answer": partner::WlAnswerReq => answer partner::warranty_life_answer,
        "crm_installed_item_coverage": partner::CrmCoverageReq
            => answer partner::crm_installed_item_coverage,
    ],
}
