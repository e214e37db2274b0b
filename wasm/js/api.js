// The JavaScript face of the package, shared by the Node (CommonJS) and browser (ES module)
// entries of both modules: scripts/wasm-pkg.mjs wraps this file for each. `raw` is the
// wasm-bindgen glue (`call`, `version`, `Engine`) of the rules module (`warranty`,
// `withSync` false) or of the whole library (`warranty/sync`, `withSync` true).

/** Thrown by the typed helpers when the library answers `ok:false`. */
class WarrantyError extends Error {
  constructor(error) {
    super(error && error.message ? error.message : 'warranty request refused');
    this.name = 'WarrantyError';
    /** The protocol error code: INVALID_JSON, UNKNOWN_OP, INVALID_INPUT, TRANSITION_REFUSED. */
    this.code = error ? error.code : 'INVALID_INPUT';
    /** Where in the request the problem is, e.g. `claim.lines[2].currency`. */
    this.path = error ? error.path : '';
  }
}

function makeApi(raw, withSync) {
  const unwrap = (text) => {
    const response = JSON.parse(text);
    if (response.ok) return response.result;
    throw new WarrantyError(response.error);
  };
  const request = (send, op, args) => {
    if (args === null || typeof args !== 'object' || Array.isArray(args)) {
      throw new TypeError(`${op}: expected an object of request fields`);
    }
    return unwrap(send(JSON.stringify({ ...args, op })));
  };
  const oneShot = (op) => (args) => request(raw.call, op, args);

  // An engine's `call` writes a request of up to IN_PLACE_UNITS UTF-16 units straight into
  // the engine's request buffer (room for three bytes a unit: TextEncoder.encodeInto never
  // stops short) and reads the answer where the engine left it (`callInPlace`), instead of
  // wasm-bindgen's string passing: no allocation, copy or free call for either string, one
  // call into the module. The bytes are the same: encodeInto is what the glue uses too.
  // Longer requests (a catalog to load) take the glue's path. `raw.__memory` is the module's
  // memory (added to the glue by scripts/wasm-pkg.mjs).
  const IN_PLACE_UNITS = 8192;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let bytes = new Uint8Array(0);
  const memoryBytes = () => {
    // A view of the memory is detached (length 0) once the memory grows.
    if (bytes.byteLength === 0) bytes = new Uint8Array(raw.__memory().buffer);
    return bytes;
  };

  /** Named catalogs kept between calls. Call `free()` when done (or let the GC do it). */
  class Engine {
    constructor() {
      this._engine = new raw.Engine();
      this._request = undefined;
    }
    /** The raw dispatcher: a PROTOCOL.md request string in, the response string out. */
    call(requestJson) {
      if (typeof requestJson !== 'string' || requestJson.length > IN_PLACE_UNITS) {
        return this._engine.call(requestJson);
      }
      let room = this._request;
      if (room === undefined || room.byteLength === 0) {
        const at = this._engine.requestBuffer(IN_PLACE_UNITS * 3) >>> 0;
        room = this._request = memoryBytes().subarray(at, at + IN_PLACE_UNITS * 3);
      }
      const { written } = encoder.encodeInto(requestJson, room);
      const at = this._engine.callInPlace(written) >>> 0;
      const m = memoryBytes();
      const n = (m[at] | (m[at + 1] << 8) | (m[at + 2] << 16) | (m[at + 3] << 24)) >>> 0;
      return decoder.decode(m.subarray(at + 4, at + 4 + n));
    }
    /** NDJSON in, NDJSON out, exactly as `wty call --ndjson`. */
    callBatch(requestsNdjson) {
      return this._engine.callBatch(requestsNdjson);
    }
    /** Any operation, typed helpers style: `engine.request('resolve', {...})`. */
    request(op, args) {
      return request((s) => this.call(s), op, args);
    }
    /** `loadCatalog(name, policies)` or `loadCatalog({ name, policies })`. */
    loadCatalog(name, policies) {
      const args = typeof name === 'object' && name !== null ? name : { name, policies };
      return this.request('load_catalog', args);
    }
    /** `unloadCatalog(name)` or `unloadCatalog({ name })`. */
    unloadCatalog(name) {
      return this.request('unload_catalog', typeof name === 'object' && name !== null ? name : { name });
    }
    listCatalogs() {
      return this.request('list_catalogs', {}).catalogs;
    }
    resolve(args) {
      return this.request('resolve', args);
    }
    free() {
      if (this._engine) {
        this._engine.free();
        this._engine = undefined;
      }
    }
  }
  if (typeof Symbol.dispose === 'symbol') {
    Engine.prototype[Symbol.dispose] = Engine.prototype.free;
  }

  const rules = {
    call: (requestJson) => raw.call(requestJson),
    version: () => raw.version(),
    Engine,
    WarrantyError,
    expiry: oneShot('expiry'),
    coverage: oneShot('coverage'),
    replace: oneShot('replace'),
    resolve: oneShot('resolve'),
    plans: oneShot('plans'),
    validateClaim: oneShot('validate_claim'),
    transitionClaim: oneShot('transition_claim'),
    verifyAudit: oneShot('verify_audit'),
    applyPartnerStatus: oneShot('apply_partner_status'),
    claimsReport: oneShot('claims_report'),
    stackCoverage: oneShot('stack_coverage'),
    expiring: oneShot('expiring'),
    statutoryPresets: (args = {}) => request(raw.call, 'statutory_presets', args),
  };
  if (!withSync) return rules;

  /** The rules engine plus named outboxes (docs/sync.md). */
  class SyncEngine extends Engine {
    importCrmCom(args) {
      return this.request('import_crm_com', args);
    }
    // Sync (docs/sync.md): named outboxes in this engine. Store each answer's `persist`
    // before acting on it.
    outboxCreate(args) {
      return this.request('outbox_create', args);
    }
    outboxEnqueue(args) {
      return this.request('outbox_enqueue', args);
    }
    outboxPollTransmit(args) {
      return this.request('outbox_poll_transmit', args);
    }
    outboxHandleResponse(args) {
      return this.request('outbox_handle_response', args);
    }
    outboxTransportError(args) {
      return this.request('outbox_transport_error', args);
    }
    outboxPollTimeout(args) {
      return this.request('outbox_poll_timeout', args);
    }
    outboxPollEvent(args) {
      return this.request('outbox_poll_event', args);
    }
    outboxSnapshot(args) {
      return this.request('outbox_snapshot', args);
    }
    outboxRestore(args) {
      return this.request('outbox_restore', args);
    }
    outboxReport(args) {
      return this.request('outbox_report', args);
    }
    outboxPrune(args) {
      return this.request('outbox_prune', args);
    }
    outboxReplay(args) {
      return this.request('outbox_replay', args);
    }
    outboxDrop(args) {
      return this.request('outbox_drop', args);
    }
    activateSale(args) {
      return this.request('activate_sale', args);
    }
    claimChanged(args) {
      return this.request('claim_changed', args);
    }
  }
  return {
    ...rules,
    Engine: SyncEngine,
    importCrmCom: oneShot('import_crm_com'),
    webhookSign: oneShot('webhook_sign'),
    webhookVerify: oneShot('webhook_verify'),
    cnhClaimBody: oneShot('cnh_claim_body'),
    cnhAuth: oneShot('cnh_auth'),
    cnhReadResponse: oneShot('cnh_read_response'),
    cnhDefectFailureRequest: (args = {}) => request(raw.call, 'cnh_defect_failure_request', args),
    cnhDefectFailureAnswer: oneShot('cnh_defect_failure_answer'),
    cnhAttachmentRequest: oneShot('cnh_attachment_request'),
    cnhAttachmentAnswer: oneShot('cnh_attachment_answer'),
    cnhMpsTcRequest: oneShot('cnh_mps_tc_request'),
    cnhDocumentAnswer: oneShot('cnh_document_answer'),
    cnhSmartAlertAnswer: oneShot('cnh_smart_alert_answer'),
    cnhEzLaborAnswer: oneShot('cnh_ez_labor_answer'),
    cnhPipAnswer: oneShot('cnh_pip_answer'),
    cnhInvoiceRequest: oneShot('cnh_invoice_request'),
    cnhInvoiceAnswer: oneShot('cnh_invoice_answer'),
    cnhInvoiceReconcile: oneShot('cnh_invoice_reconcile'),
    productCodeRegistration: oneShot('product_code_registration'),
    warrantyLifePlans: oneShot('warranty_life_plans'),
    warrantyLifeRequest: oneShot('warranty_life_request'),
    warrantyLifeAuth: oneShot('warranty_life_auth'),
    warrantyLifePage: oneShot('warranty_life_page'),
    warrantyLifeAnswer: oneShot('warranty_life_answer'),
    crmInstalledItemCoverage: oneShot('crm_installed_item_coverage'),
  };
}
