const t0=Date.now();
(async()=>{const {PGlite}=await import("@electric-sql/pglite");const t1=Date.now();
const db=await PGlite.create();const t2=Date.now();
const db2=await PGlite.create();const t3=Date.now();
console.log("import",t1-t0,"create1",t2-t1,"create2",t3-t2);
const dump=await db.dumpDataDir("none");const t4=Date.now();console.log("dump",t4-t3,dump.size);
const db3=await PGlite.create({loadDataDir:dump});console.log("fromdump",Date.now()-t4);
})();
