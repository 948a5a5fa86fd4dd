-- An override holds while the overridden field's own source value stays what it was when the
-- override was made (SPEC.md): that value, as {"value": ...} or {} when the source gave none.
-- NULL on overrides made before this column: they keep lapsing on any newer source version.
ALTER TABLE "FieldOverride" ADD COLUMN "sourceValue" JSONB;
