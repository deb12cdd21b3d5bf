// asl-validator ships no type declarations: the part of its API the tests use (its README, "In your code").
declare module "asl-validator" {
  interface ValidationResult {
    isValid: boolean;
    errorsText(separator?: string): string;
  }
  export default function aslValidator(definition: unknown): ValidationResult;
}
