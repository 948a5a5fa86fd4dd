import type { EnvironmentData, IncidentData, TicketData } from "../../server/intake/event-schemas";

/** The demo's cast: customers, their cases, environments and the incidents that link cases. */
export interface CaseSpec {
  id: string;
  account: string;
  product: string;
  productArea: string;
  subject: string;
  severity: TicketData["severity"];
  declared?: string;
  env: string;
  /** Own routine updates (notes, status, reproduction, diagnostics) over the two days. */
  routine: number;
}

export interface AccountSpec {
  id: string;
  customer: string;
  tier: string;
  contract: string;
  validUntil: string;
  contact: string;
}

export const ACCOUNTS: AccountSpec[] = [
  { id: "ACC-20417", customer: "Northwind Traders", tier: "Premium Support", contract: "CTR-2025-0417", validUntil: "2027-03-31", contact: "northwind" },
  { id: "ACC-20533", customer: "Contoso Pharmaceuticals", tier: "enterprise", contract: "CTR-2024-0533", validUntil: "2027-06-30", contact: "contoso" },
  { id: "ACC-20618", customer: "Fabrikam Logistics", tier: "premium", contract: "CTR-2025-0618", validUntil: "2026-12-31", contact: "fabrikam" },
  { id: "ACC-20702", customer: "Tailspin Airlines", tier: "Enterprise Support", contract: "CTR-2023-0702", validUntil: "2027-09-30", contact: "tailspin" },
  { id: "ACC-20788", customer: "Woodgrove Bank", tier: "ENT", contract: "CTR-2025-0788", validUntil: "2028-01-31", contact: "woodgrove" },
  { id: "ACC-20841", customer: "Litware Media", tier: "standard", contract: "CTR-2026-0841", validUntil: "2027-02-28", contact: "litware" },
  { id: "ACC-20905", customer: "Proseware Retail", tier: "PREM", contract: "CTR-2025-0905", validUntil: "2027-05-31", contact: "proseware" },
  { id: "ACC-20977", customer: "Adatum Insurance", tier: "premium", contract: "CTR-2024-0977", validUntil: "2027-01-31", contact: "adatum" },
  { id: "ACC-21032", customer: "Lamna Healthcare", tier: "enterprise", contract: "CTR-2025-1032", validUntil: "2027-12-31", contact: "lamna" },
  { id: "ACC-21110", customer: "Wide World Importers", tier: "Standard Support", contract: "CTR-2025-1110", validUntil: "2026-12-31", contact: "wideworld" },
  { id: "ACC-21186", customer: "Alpine Ski House", tier: "premium", contract: "CTR-2026-1186", validUntil: "2027-04-30", contact: "alpineskihouse" },
  { id: "ACC-21244", customer: "Coho Winery", tier: "standard", contract: "CTR-2025-1244", validUntil: "2027-08-31", contact: "cohowinery" },
  { id: "ACC-21309", customer: "Trey Research", tier: "enterprise", contract: "CTR-2024-1309", validUntil: "2027-10-31", contact: "treyresearch" },
  { id: "ACC-21377", customer: "Fourth Coffee", tier: "Premium Support", contract: "CTR-2025-1377", validUntil: "2027-07-31", contact: "fourthcoffee" },
];

export const CASES: CaseSpec[] = [
  { id: "CASE-1041", account: "ACC-20417", product: "billing-api", productArea: "payments/billing", subject: "Duplicate invoice lines after mid-cycle upgrades", severity: "S3", env: "ENV-NW-PROD", routine: 9 },
  { id: "CASE-1042", account: "ACC-20417", product: "checkout", productArea: "Checkout", subject: "Card payments stuck in a 3-D Secure challenge loop", severity: "S2", declared: "Premium Support", env: "ENV-NW-PROD", routine: 12 },
  { id: "CASE-1043", account: "ACC-20533", product: "identity", productArea: "sso", subject: "SSO login fails for all users after certificate rotation", severity: "S1", declared: "ENT", env: "ENV-CT-EU", routine: 8 },
  { id: "CASE-1044", account: "ACC-20618", product: "data-export", productArea: "reporting/export", subject: "CSV export truncates rows over 1 million", severity: "S3", env: "ENV-FB-PROD", routine: 10 },
  { id: "CASE-1045", account: "ACC-20618", product: "billing-api", productArea: "billing-api", subject: "Tax amounts rounded differently in API and invoices", severity: "S3", declared: "Premium Support", env: "ENV-FB-PROD", routine: 16 },
  { id: "CASE-1046", account: "ACC-20702", product: "identity", productArea: "Identity", subject: "SCIM provisioning creates duplicate accounts", severity: "S2", declared: "Enterprise Support", env: "ENV-TS-US", routine: 9 },
  { id: "CASE-1047", account: "ACC-20788", product: "billing-api", productArea: "Billing API", subject: "Invoice PDF rendering times out for large accounts", severity: "S2", declared: "enterprise", env: "ENV-WG-EU", routine: 10 },
  { id: "CASE-1048", account: "ACC-20841", product: "data-export", productArea: "Data Export", subject: "Scheduled exports arrive hours late", severity: "S3", env: "ENV-LW-US", routine: 9 },
  { id: "CASE-1049", account: "ACC-20905", product: "checkout", productArea: "checkout-web", subject: "Checkout page slow to load during peak traffic", severity: "S2", declared: "PREM", env: "ENV-PW-EU", routine: 8 },
  { id: "CASE-1050", account: "ACC-20977", product: "identity", productArea: "auth", subject: "Users logged out every 10 minutes", severity: "S3", env: "ENV-AD-EU", routine: 7 },
  { id: "CASE-1051", account: "ACC-21032", product: "data-export", productArea: "export", subject: "Parquet export missing the currency column", severity: "S3", declared: "Enterprise Support", env: "ENV-LH-EU", routine: 9 },
  { id: "CASE-1052", account: "ACC-21110", product: "checkout", productArea: "payments/checkout", subject: "Apple Pay button not shown in Safari", severity: "S3", env: "ENV-WW-US", routine: 8 },
  { id: "CASE-1053", account: "ACC-21186", product: "checkout", productArea: "payments/checkout", subject: "Saved payment methods disappear after login", severity: "S3", env: "ENV-AS-EU", routine: 10 },
  { id: "CASE-1054", account: "ACC-21244", product: "data-export", productArea: "data-exports", subject: "Export job stuck in queued state", severity: "S4", env: "ENV-CW-US", routine: 15 },
  { id: "CASE-1055", account: "ACC-21309", product: "identity", productArea: "identity/sso", subject: "SAML assertions rejected with clock skew error", severity: "S2", declared: "enterprise", env: "ENV-TR-US", routine: 14 },
  { id: "CASE-1056", account: "ACC-21377", product: "billing-api", productArea: "billing", subject: "Credit notes missing from the monthly statement export", severity: "S3", declared: "gold", env: "ENV-FC-EU", routine: 18 },
];

export const ENVIRONMENTS: Record<string, { productVersion: string; deployment: EnvironmentData["deployment"]; os: string; region: string; components: string[] }> = {
  "ENV-NW-PROD": { productVersion: "2026.10.4", deployment: "saas", os: "Ubuntu 22.04", region: "eu-west-1", components: ["billing-api", "invoice-renderer", "checkout-web"] },
  "ENV-CT-EU": { productVersion: "2026.9.2", deployment: "self_hosted", os: "RHEL 9.3", region: "eu-central-1", components: ["sso-broker", "session-store"] },
  "ENV-FB-PROD": { productVersion: "2026.10.1", deployment: "saas", os: "Debian 12", region: "eu-west-1", components: ["export-worker", "billing-api", "tax-engine"] },
  "ENV-TS-US": { productVersion: "2026.8.7", deployment: "self_hosted", os: "Windows Server 2022", region: "us-east-1", components: ["scim-service", "sso-broker"] },
  "ENV-WG-EU": { productVersion: "2026.10.4", deployment: "saas", os: "Ubuntu 22.04", region: "eu-west-1", components: ["invoice-renderer", "billing-api"] },
  "ENV-LW-US": { productVersion: "2026.10.2", deployment: "saas", os: "Amazon Linux 2023", region: "us-west-2", components: ["export-scheduler", "export-worker"] },
  "ENV-PW-EU": { productVersion: "2026.11.0", deployment: "saas", os: "Ubuntu 22.04", region: "eu-west-1", components: ["checkout-web", "payment-gateway"] },
  "ENV-AD-EU": { productVersion: "2026.9.5", deployment: "self_hosted", os: "RHEL 9.3", region: "eu-central-1", components: ["session-store", "sso-broker"] },
  "ENV-LH-EU": { productVersion: "2026.10.3", deployment: "saas", os: "Debian 12", region: "eu-west-1", components: ["export-worker", "object-store-client"] },
  "ENV-WW-US": { productVersion: "2026.10.0", deployment: "saas", os: "Ubuntu 22.04", region: "us-east-1", components: ["checkout-web", "payment-gateway"] },
  "ENV-AS-EU": { productVersion: "2026.10.4", deployment: "saas", os: "Ubuntu 22.04", region: "eu-central-1", components: ["checkout-web", "fraud-screening"] },
  "ENV-CW-US": { productVersion: "2026.7.9", deployment: "self_hosted", os: "Debian 12", region: "us-west-2", components: ["export-scheduler", "export-worker", "object-store-client"] },
  "ENV-TR-US": { productVersion: "2026.10.1", deployment: "saas", os: "Amazon Linux 2023", region: "us-east-1", components: ["sso-broker", "scim-service"] },
  "ENV-FC-EU": { productVersion: "2026.10.2", deployment: "saas", os: "Ubuntu 22.04", region: "eu-west-1", components: ["billing-api", "invoice-renderer"] },
};

export const INCIDENTS: Record<string, Omit<IncidentData, "incidentId">> = {
  "INC-5101": { title: "Payments platform: elevated 5xx on invoice and payment APIs", severity: "S2", status: "investigating", classification: "degradation", affectedAccounts: ["ACC-20417", "ACC-20788"], caseIds: ["CASE-1041", "CASE-1042", "CASE-1047"] },
  "INC-5102": { title: "Identity: SSO token validation latency", severity: "S2", status: "investigating", classification: "performance", affectedAccounts: ["ACC-20533", "ACC-21309"], caseIds: ["CASE-1043", "CASE-1055"] },
  "INC-5103": { title: "Checkout: payment page latency at peak", severity: "S3", status: "investigating", classification: "performance", affectedAccounts: ["ACC-21186"], caseIds: ["CASE-1053"] },
  "INC-5104": { title: "Data Export: delayed scheduled exports", severity: "S3", status: "identified", classification: "partial outage", affectedAccounts: ["ACC-21032", "ACC-21244"], caseIds: ["CASE-1051", "CASE-1054"] },
};

export const DEMO_CASES = CASES.map((c) => c.id);

/** Cases linked to an incident (now or later in the story): their severity must stay in step with it. */
export const LINKED = new Set(Object.values(INCIDENTS).flatMap((i) => i.caseIds).concat("CASE-1049"));
