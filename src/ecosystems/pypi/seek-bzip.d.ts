declare module 'seek-bzip' {
  interface ByteSink {
    writeByte(byte: number): void;
  }
  const Bunzip: {
    decode(input: Buffer, output?: number | Buffer | ByteSink, multistream?: boolean): Buffer | undefined;
  };
  export default Bunzip;
}
