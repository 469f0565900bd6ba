import type { BrandProps } from "./types";

/**
 * Sample values for the preview server and `email export`, which render templates without
 * props. Real sends always pass every prop.
 */
export const sampleBrand: BrandProps = {
  name: "Healthy Hips",
  teacher: "Maya",
  accentColor: "#a0522d",
  postalAddress: "12 Linden Lane, Bristol BS1 4DJ, United Kingdom",
  siteUrl: "https://healthyhips.example",
};

export const sampleLinks = {
  confirm: "https://healthyhips.example/confirm?t=sample",
  unsubscribe: "https://healthyhips.example/u?t=sample",
  manage: "https://healthyhips.example/manage?t=sample",
  masterclass: "https://healthyhips.example/masterclass",
  guide: "https://healthyhips.example/guide/5-poses-for-healthy-hips.pdf",
} as const;
