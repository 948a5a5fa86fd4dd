/**
 * Realistic content for simulated sources and the demo: customers, the people who write notes,
 * product areas the default taxonomy knows (and some it does not), subjects and note bodies.
 */
export const CUSTOMERS = [
  "Northwind Traders",
  "Contoso Pharmaceuticals",
  "Fabrikam Logistics",
  "Tailspin Airlines",
  "Woodgrove Bank",
  "Litware Media",
  "Proseware Retail",
  "Adatum Insurance",
  "Lamna Healthcare",
  "Wide World Importers",
  "Alpine Ski House",
  "Coho Winery",
  "Trey Research",
  "Fourth Coffee",
  "Blue Yonder Airlines",
  "Margie's Travel",
  "Relecloud",
  "Humongous Insurance",
  "Graphic Design Institute",
  "Southridge Video",
] as const;

export const ENGINEERS = [
  "Priya Nair (Support)",
  "Marcus Lee (Support)",
  "Elena Petrova (Escalations)",
  "Tomás Ruiz (Support)",
  "Aisha Bello (Escalations)",
  "Kenji Watanabe (Support)",
  "Fatima Haddad (Engineering)",
  "Owen Gallagher (Engineering)",
] as const;

export const CONTACT_FIRST = ["Jordan", "Sofia", "Hannah", "Luis", "Mei", "Daniel", "Amara", "Noah", "Ingrid", "Ravi"] as const;

/** Product areas as support agents type them; every one normalises with the default taxonomy. */
export const PRODUCT_AREAS: Record<string, readonly string[]> = {
  "billing-api": ["Billing API", "payments/billing", "billing-api", "billing"],
  checkout: ["Checkout", "checkout-web", "payments/checkout"],
  identity: ["Identity", "sso", "identity/sso", "auth"],
  "data-export": ["Data Export", "reporting/export", "export", "data-exports"],
};

/** Product areas the default taxonomy does not know (SCHEMA_INVALID until an admin adds an alias). */
export const UNKNOWN_PRODUCT_AREAS = ["Mobile SDK", "Scheduled reports", "Webhooks relay", "Partner portal"] as const;

export const SUBJECTS: Record<string, readonly string[]> = {
  "billing-api": [
    "Duplicate invoice lines after proration",
    "Invoice PDF rendering times out for large accounts",
    "Tax amounts rounded differently in API and invoices",
    "Credit notes missing from the monthly statement export",
  ],
  checkout: [
    "Card payments declined with 3-D Secure challenge loop",
    "Checkout page slow to load during peak traffic",
    "Saved payment methods disappear after login",
    "Apple Pay button not shown in Safari",
  ],
  identity: [
    "SSO login fails for all users after certificate rotation",
    "SAML assertions rejected with clock skew error",
    "Users logged out every 10 minutes",
    "SCIM provisioning creates duplicate accounts",
  ],
  "data-export": [
    "Scheduled exports arrive hours late",
    "CSV export truncates rows over 1 million",
    "Export job stuck in queued state",
    "Parquet export missing the currency column",
  ],
};

export const NOTE_BODIES = [
  "Customer confirmed the issue still reproduces on their side this morning.",
  "Asked the customer for a HAR file and the exact request ids of failing calls.",
  "Customer shared request ids; forwarding them to engineering.",
  "Engineering is reviewing the logs from the latest bundle.",
  "Workaround suggested: retry with exponential backoff; customer will try it today.",
  "Customer reports the workaround reduces the failures but does not remove them.",
  "Scheduled a call with the customer's platform team for tomorrow 09:00 UTC.",
  "Call held: walked through the integration, no misconfiguration found.",
  "Engineering found a candidate root cause in the retry logic; fix under review.",
  "Fix deployed to the canary region; monitoring error rates.",
  "Customer asked for an ETA; shared the current status and next update time.",
  "No new failures reported in the last 6 hours.",
  "Customer's security team approved sharing the application logs.",
  "Escalated to the on-call engineering lead for a second look.",
  "Confirmed the issue is limited to accounts in the EU region.",
  "Customer upgraded to the latest SDK version as requested.",
  "Collected a fresh environment snapshot after the customer's upgrade.",
  "Reproduced in our staging environment with the customer's configuration.",
  "Customer reports a second symptom that looks related; tracking it here.",
  "Sent the weekly summary to the customer's account team.",
] as const;

export const REPRO_STEPS: Record<string, string> = {
  "billing-api": "1. Create a subscription with mid-cycle upgrade. 2. Generate the invoice via POST /v2/invoices. 3. Compare line items with the proration preview.",
  checkout: "1. Open the hosted checkout with a 3-D Secure test card. 2. Complete the challenge. 3. Observe the page returning to the challenge step.",
  identity: "1. Sign in through the customer's IdP. 2. Observe the SAML response. 3. The service provider rejects the assertion.",
  "data-export": "1. Schedule a daily CSV export. 2. Wait for the 02:00 UTC run. 3. The file arrives after 06:00 UTC.",
};

export const COMPONENTS: Record<string, readonly string[]> = {
  "billing-api": ["billing-api", "invoice-renderer", "tax-engine"],
  checkout: ["checkout-web", "payment-gateway", "fraud-screening"],
  identity: ["sso-broker", "scim-service", "session-store"],
  "data-export": ["export-scheduler", "export-worker", "object-store-client"],
};

export const REGIONS = ["eu-west-1", "us-east-1", "eu-central-1", "ap-southeast-2", "us-west-2"] as const;
export const OPERATING_SYSTEMS = ["Ubuntu 22.04", "RHEL 9.3", "Debian 12", "Amazon Linux 2023", "Windows Server 2022"] as const;

export const LOG_KINDS = ["application", "gateway", "worker", "audit", "network-trace"] as const;

export const INCIDENT_TITLES: Record<string, readonly string[]> = {
  "billing-api": ["Billing API: elevated 5xx on invoice rendering", "Billing API: delayed webhook deliveries"],
  checkout: ["Checkout: payment page latency at peak", "Checkout: 3-D Secure provider degradation"],
  identity: ["Identity: SSO token validation latency", "Identity: SCIM sync backlog"],
  "data-export": ["Data Export: delayed scheduled exports", "Data Export: export workers saturated"],
};
