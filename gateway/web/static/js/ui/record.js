// The client record's fields as people read them: shared by the portal's "My details"
// form and the staff console's client page, revision history and alerts.

export const FIELD_LABELS = {
  first_name: "First name",
  last_name: "Last name",
  preferred_name: "Preferred name",
  date_of_birth: "Date of birth",
  email: "Email",
  phone_mobile: "Mobile phone",
  phone_home: "Home phone",
  phone_work: "Work phone",
  address_line1: "Address line 1",
  address_line2: "Address line 2",
  city: "City",
  state: "State",
  postal_code: "Postal code",
  country: "Country",
  primary_language: "Primary language",
};

export const fieldLabel = (name) => FIELD_LABELS[name] || String(name).replace(/_/g, " ");

export const fullName = (record) => [record.first_name, record.last_name].filter(Boolean).join(" ");

// The languages most often spoken at home in the US, then "Other".
export const LANGUAGES = [
  "English", "Spanish", "Chinese (Mandarin)", "Chinese (Cantonese)", "Tagalog", "Vietnamese",
  "Arabic", "French", "Haitian Creole", "Korean", "Russian", "Portuguese", "German", "Hindi",
  "Urdu", "Bengali", "Punjabi", "Gujarati", "Persian (Farsi)", "Polish", "Italian", "Japanese",
  "Amharic", "Somali", "Hmong", "Ukrainian", "American Sign Language",
];
export const OTHER = "__other__";

// The API keeps the two-letter ISO 3166 code.
export const COUNTRIES = [
  ["US", "United States"], ["CA", "Canada"], ["GB", "United Kingdom"], ["IE", "Ireland"],
  ["AU", "Australia"], ["NZ", "New Zealand"], ["MX", "Mexico"], ["PR", "Puerto Rico"],
  ["IN", "India"], ["PH", "Philippines"], ["CN", "China"], ["VN", "Vietnam"], ["KR", "South Korea"],
  ["JP", "Japan"], ["DE", "Germany"], ["FR", "France"], ["ES", "Spain"], ["IT", "Italy"],
  ["NL", "Netherlands"], ["PL", "Poland"], ["UA", "Ukraine"], ["BR", "Brazil"], ["CO", "Colombia"],
  ["DO", "Dominican Republic"], ["SV", "El Salvador"], ["GT", "Guatemala"], ["HT", "Haiti"],
  ["JM", "Jamaica"], ["CU", "Cuba"], ["NG", "Nigeria"], ["ET", "Ethiopia"], ["SO", "Somalia"],
  ["ZA", "South Africa"], ["IL", "Israel"], ["IR", "Iran"], ["PK", "Pakistan"], ["BD", "Bangladesh"],
];

export function countryName(code) {
  const found = COUNTRIES.find(([c]) => c === code);
  return found ? found[1] : code || "";
}

/** How a stored value reads on the staff side ("—" for empty). */
export function displayValue(name, value) {
  if (value === null || value === undefined || value === "") return "—";
  if (name === "country") return `${countryName(value)}${countryName(value) !== value ? ` (${value})` : ""}`;
  return String(value);
}
