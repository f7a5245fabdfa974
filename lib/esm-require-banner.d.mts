export declare const ESM_REQUIRE_BANNER: string;
